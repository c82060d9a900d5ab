import { Global, Injectable, Module } from '@nestjs/common';

/** Values shorter than this are not redacted: they would blank out ordinary words. */
const MIN_LENGTH = 8;
export const REDACTED = '[REDACTED]';

/** The secret values this process has loaded, blanked out of every log line: a last line of defence. */
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
      redacted = redacted.replaceAll(value, REDACTED);
    }
    return redacted;
  }
}

@Global()
@Module({ providers: [SecretRedaction], exports: [SecretRedaction] })
export class SecretRedactionModule {}
