/**
 * A short, secret-free description of a failure for log lines: the error's
 * name, its HTTP status and its code. Deliberately not the message: SDK and
 * HTTP client messages can carry URLs with tokens or request headers.
 */
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
