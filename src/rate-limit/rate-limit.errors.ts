import { ServiceError } from '../common/service-error.js';

/** What a client is told when it, or the whole instance, is at its limit. */
export const RATE_LIMIT_DETAIL = {
  client: 'Too many requests from this client; try again later.',
  global: 'The service is at its request limit for this minute; try again later.',
};

/** A rate limit was reached: 429 with `Retry-After`. */
export class RateLimitedError extends ServiceError {
  readonly code = 'RATE_LIMITED';
  readonly status = 429;

  constructor(
    detail: string,
    override readonly retryAfterSeconds: number,
  ) {
    super(detail);
  }
}
