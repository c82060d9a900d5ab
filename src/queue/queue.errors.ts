import { isRestError } from '@azure/storage-queue';
import type { AppCredential } from '../azure/app-credential.js';
import { isCredentialFailure } from '../azure/credential.errors.js';
import { describeError } from '../common/service-error.js';
import { ServiceError } from '../common/service-error.js';

export const QUEUE_DETAIL = 'The code could not be recorded; no code was issued.';

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

/** A queue failure as an error whose hint says what to fix (SDK errors are not kept: they hold the request). */
export function translateQueueFailure(target: string, error: unknown, credential: AppCredential): ServiceError {
  if (isCredentialFailure(error)) {
    return credential.explain(target, error);
  }
  const status = isRestError(error) ? error.statusCode : undefined;
  if (status === 403 && isRestError(error) && error.code === 'AuthenticationFailed') {
    return new QueueAccessDeniedError(
      QUEUE_DETAIL,
      `The storage account rejected the app's token for ${target} (AuthenticationFailed): check that the ` +
        "identity belongs to the account's tenant and that STORAGE_QUEUE_URL names the right account.",
    );
  }
  if (status === 403) {
    return new QueueAccessDeniedError(
      QUEUE_DETAIL,
      `The app's identity may not write to ${target}: grant it the "Storage Queue Data Message Sender" role ` +
        'on the queue (creating the queue needs "Storage Queue Data Contributor", or set QUEUE_CREATE_IF_NOT_EXISTS=false).',
    );
  }
  if (status === 404) {
    return new QueueNotFoundError(
      QUEUE_DETAIL,
      `${target} does not exist: create it, or set QUEUE_CREATE_IF_NOT_EXISTS=true.`,
    );
  }
  return new QueueUnavailableError(
    QUEUE_DETAIL,
    `Request to ${target} failed (${describeError(error)}); check STORAGE_QUEUE_URL and that the account is reachable.`,
  );
}
