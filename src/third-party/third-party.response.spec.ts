import { parseValue, retryAfterMs } from './third-party.response.js';

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates, and ignores anything else', () => {
    expect(retryAfterMs('3')).toBe(3_000);
    expect(retryAfterMs('0')).toBe(0);
    const inTenSeconds = new Date(Date.now() + 10_000).toUTCString();
    expect(retryAfterMs(inTenSeconds)).toBeGreaterThan(8_000);
    expect(retryAfterMs(inTenSeconds)).toBeLessThanOrEqual(10_000);
    expect(retryAfterMs(new Date(Date.now() - 60_000).toUTCString())).toBe(0);
    for (const junk of [undefined, '', 'soon', ['1']]) {
      expect(retryAfterMs(junk)).toBeUndefined();
    }
  });
});

describe('parseValue', () => {
  it('accepts only a JSON object with a safe integer value', () => {
    expect(parseValue('{"value": 417}')).toBe(417);
    expect(parseValue('{"value": -3}')).toBe(-3);
    for (const body of ['{"value": 1e300}', '{"value": 4.2}', '{"value": "4"}', '[]', 'null', '', '{']) {
      expect(parseValue(body)).toBeUndefined();
    }
    expect(parseValue({ value: 4 })).toBeUndefined(); // only the raw text is trusted
  });
});
