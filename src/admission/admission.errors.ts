import { ServiceError } from '../common/service-error.js';

/** The instance is saturated: 503 with `Retry-After`, before any dependency is touched. */
export class OverloadedError extends ServiceError {
  readonly code = 'OVERLOADED';
  readonly status = 503;
  override readonly retryAfterSeconds = 1;

  constructor() {
    super('This instance is at capacity; try again in a moment.');
  }
}

/** One instance for every refusal: it carries nothing per request, and creating an Error captures a stack. */
export const OVERLOADED = new OverloadedError();
