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
  /** Extra response headers the status calls for (e.g. `Allow` with a 405). */
  readonly headers?: Readonly<Record<string, string>>;

  constructor(
    readonly detail: string,
    readonly hint?: string,
    options?: ErrorOptions,
  ) {
    super(detail, options);
    this.name = new.target.name;
  }
}

/** A method the route does not serve: 405 with the `Allow` header. */
export class MethodNotAllowedError extends ServiceError {
  readonly code = 'METHOD_NOT_ALLOWED';
  readonly status = 405;
  override readonly headers: Readonly<Record<string, string>>;

  constructor(allowed: readonly string[]) {
    super(`This resource allows ${allowed.join(', ')} only.`);
    this.headers = { Allow: allowed.join(', ') };
  }
}

/** What an operator should read about a failure: the hint of our errors, a secret-free summary of others. */
export function operatorMessage(error: unknown): string {
  if (error instanceof ServiceError) {
    return error.hint ?? error.detail;
  }
  return describeError(error);
}
