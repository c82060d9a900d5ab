import { REDACTED, SecretRedaction } from './secret-redaction.js';

describe('SecretRedaction', () => {
  it('blanks out every occurrence of every loaded value', () => {
    const redaction = new SecretRedaction();
    redaction.add('first-secret-1a2b');
    redaction.add('second-secret-3c4d');
    expect(redaction.redact('a first-secret-1a2b b second-secret-3c4d c first-secret-1a2b')).toBe(
      `a ${REDACTED} b ${REDACTED} c ${REDACTED}`,
    );
  });

  it('writes [REDACTED] in the place of a value, as the docs tell operators', () => {
    const redaction = new SecretRedaction();
    redaction.add('first-secret-1a2b');
    expect(redaction.redact('key=first-secret-1a2b;')).toBe('key=[REDACTED];');
  });

  it('leaves a text without a loaded value as it is', () => {
    const redaction = new SecretRedaction();
    redaction.add('first-secret-1a2b');
    expect(redaction.redact('nothing to hide')).toBe('nothing to hide');
  });

  it('redacts values of 8 characters or more, not shorter ones (they would blank out ordinary words)', () => {
    const redaction = new SecretRedaction();
    redaction.add('1234567');
    redaction.add('abcdefgh');
    expect(redaction.redact('1234567 abcdefgh')).toBe(`1234567 ${REDACTED}`);
  });
});
