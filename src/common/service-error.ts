/**
 * Base class of the errors our services throw on purpose, answered as problem+json. `detail` is shown to clients;
 * `hint` goes to the log only. Neither may contain a secret, a token or a request header.
 */
export abstract class ServiceError extends Error {
  abstract readonly code: string;
  abstract readonly status: number;
  readonly retryAfterSeconds?: number;
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

/** Name, HTTP status and code of a failure, never its message (SDK messages can carry tokens or headers). */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) {
    return 'unknown error';
  }
  const { statusCode, code } = error as Error & { statusCode?: unknown; code?: unknown };
  const parts = [error.name];
  if (typeof statusCode === 'number') {
    parts.push(`HTTP ${statusCode}`);
  }
  if (typeof code === 'string' && code !== '') {
    parts.push(code);
  }
  return parts.join(' ');
}
