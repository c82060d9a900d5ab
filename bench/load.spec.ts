import { checkAnswer, percentile } from './load.js';

describe('checkAnswer', () => {
  it('counts a wrong status or a malformed code as a failure, never as a fast answer', () => {
    expect(checkAnswer(200, '{"code":"aBc-42-XyZ","timestamp":"2026-11-30T00:00:00.000Z"}')).toBeUndefined();
    expect(checkAnswer(503, '{"code":"aBc-42-XyZ","timestamp":"2026-11-30T00:00:00.000Z"}')).toMatch(/^status 503/);
    expect(checkAnswer(200, '{"code":"aB-42-XyZ","timestamp":"2026-11-30T00:00:00.000Z"}')).toMatch(/^malformed/);
    expect(checkAnswer(200, '{"code":"aBc-42-XyZ","timestamp":"yesterday"}')).toMatch(/^malformed/);
    expect(checkAnswer(200, '{"code":"aBc-42-XyZ"}')).toMatch(/^malformed/);
    expect(checkAnswer(200, 'not json')).toMatch(/^malformed/);
  });
});

describe('percentile', () => {
  it('is the nearest-rank value, NaN without values', () => {
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 90)).toBe(9);
    expect(percentile(values, 99)).toBe(10);
    expect(percentile([], 50)).toBeNaN();
  });
});
