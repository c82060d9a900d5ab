import { isKeyRejected, parseValue, retryAfterMs } from './third-party.response.js';

describe('isKeyRejected', () => {
  it('is true for 401 and 403 only', () => {
    expect([400, 401, 403, 404, 500].filter((status) => isKeyRejected({ status }))).toEqual([401, 403]);
  });
});

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates, and ignores anything else', () => {
    expect(retryAfterMs('3')).toBe(3_000);
    expect(retryAfterMs('0')).toBe(0);
    expect(retryAfterMs('-5')).toBe(0);
    expect(retryAfterMs(' 2 ')).toBe(2_000);
    const inTenSeconds = new Date(Date.now() + 10_000).toUTCString();
    expect(retryAfterMs(inTenSeconds)).toBeGreaterThan(8_000);
    expect(retryAfterMs(inTenSeconds)).toBeLessThanOrEqual(10_000);
    expect(retryAfterMs(new Date(Date.now() - 60_000).toUTCString())).toBe(0);
    // A blank header is no header, not "retry now".
    for (const junk of [undefined, '', '   ', 'soon', ['1'], 3]) {
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
    // Only the raw text is trusted: not an object, nor anything JSON.parse would turn into that text.
    for (const body of [{ value: 4 }, Buffer.from('{"value": 4}'), ['{"value": 4}'], 4]) {
      expect(parseValue(body)).toBeUndefined();
    }
  });
});
