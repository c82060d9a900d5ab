/**
 * Secret values the process has loaded, so the log pipeline can blank them
 * out wherever they appear: a last line of defence, since no code path is
 * meant to log one in the first place.
 */
const secretValues = new Set<string>();

/** Values shorter than this are not redacted: they would blank out ordinary words. */
const MIN_LENGTH = 8;
export const REDACTED = '[REDACTED]';

export function registerSecretValue(value: string): void {
  if (value.length >= MIN_LENGTH) {
    secretValues.add(value);
  }
}

export function redactSecretValues(text: string): string {
  let redacted = text;
  for (const value of secretValues) {
    if (redacted.includes(value)) {
      redacted = redacted.replaceAll(value, REDACTED);
    }
  }
  return redacted;
}
