import { ServiceError } from '../common/service-error.js';

/** A message could not be written to the queue: 503, the client may retry. */
abstract class QueueError extends ServiceError {
  readonly status = 503;
  override readonly retryAfterSeconds = 5;
}

export class QueueUnavailableError extends QueueError {
  readonly code = 'QUEUE_UNAVAILABLE';
}

export class QueueAccessDeniedError extends QueueError {
  readonly code = 'QUEUE_ACCESS_DENIED';
}

export class QueueNotFoundError extends QueueError {
  readonly code = 'QUEUE_NOT_FOUND';
}
