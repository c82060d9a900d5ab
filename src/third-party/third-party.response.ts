/** How the third party's answers are read: rejected keys, Retry-After, the integer value. */

export function isKeyRejected(response: { status: number }): boolean {
  return response.status === 401 || response.status === 403;
}

/** A Retry-After header (seconds, or an HTTP date) in milliseconds, or undefined. */
export function retryAfterMs(header: unknown): number | undefined {
  if (typeof header !== 'string' || header.trim() === '') {
    return undefined;
  }
  const seconds = Number(header);
  if (Number.isFinite(seconds)) {
    return Math.max(0, seconds * 1000);
  }
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** The integer `value` of a JSON body like `{"value": 42}`, or undefined. */
export function parseValue(body: unknown): number | undefined {
  if (typeof body !== 'string') {
    return undefined;
  }
  let parsed: { value?: unknown } | null | undefined;
  try {
    parsed = JSON.parse(body) as { value?: unknown } | null;
  } catch {
    // not JSON: no value
  }
  const value = parsed?.value;
  return Number.isSafeInteger(value) ? (value as number) : undefined;
}
