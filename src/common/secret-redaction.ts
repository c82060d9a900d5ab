import { Global, Injectable, Module } from '@nestjs/common';

/** Values shorter than this are not redacted: they would blank out ordinary words. */
const MIN_LENGTH = 8;
export const REDACTED = '[REDACTED]';

/**
 * The secret values this process has loaded, so the log pipeline can blank
 * them out wherever they appear: a last line of defence, since no code path
 * is meant to log one in the first place.
 */
@Injectable()
export class SecretRedaction {
  private readonly values = new Set<string>();

  add(value: string): void {
    if (value.length >= MIN_LENGTH) {
      this.values.add(value);
    }
  }

  redact(text: string): string {
    let redacted = text;
    for (const value of this.values) {
      if (redacted.includes(value)) {
        redacted = redacted.replaceAll(value, REDACTED);
      }
    }
    return redacted;
  }
}

/** One `SecretRedaction` for the whole app: filled by the secrets cache, applied by the logger. */
@Global()
@Module({ providers: [SecretRedaction], exports: [SecretRedaction] })
export class SecretRedactionModule {}
