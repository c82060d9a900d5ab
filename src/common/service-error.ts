import { describeError } from './describe-error.js';

/**
 * Base class of the errors our services throw on purpose. The global filter
 * turns them into problem+json responses.
 *
 * `detail` is shown to clients; `hint` is for operators and goes to the log
 * only. Neither may contain a secret, a token or a request header.
 */
export abstract class ServiceError extends Error {
  /** Stable, machine-readable identifier, e.g. `THIRD_PARTY_TIMEOUT`. */
  abstract readonly code: string;
  /** HTTP status the error maps to. */
  abstract readonly status: number;
  /** Seconds a client should wait before retrying, when that is meaningful. */
  readonly retryAfterSeconds?: number;

  constructor(
    readonly detail: string,
    readonly hint?: string,
    options?: ErrorOptions,
  ) {
    super(detail, options);
    this.name = new.target.name;
  }
}

/** What an operator should read about a failure: the hint of our errors, a secret-free summary of others. */
export function operatorMessage(error: unknown): string {
  if (error instanceof ServiceError) {
    return error.hint ?? error.detail;
  }
  return describeError(error);
}
