import { CODE_LETTERS, CODE_PATTERN, formatCode, randomLetters } from './code-format.js';

describe('formatCode', () => {
  it('wraps the value in three letters on each side', () => {
    const code = formatCode(417);
    expect(code).toMatch(CODE_PATTERN);
    expect(code.split('-')[1]).toBe('417');
  });

  it('takes every letter from the random source it is given', () => {
    const picks = [0, 25, 26, 51, 1, 27];
    const seen: number[] = [];
    const code = formatCode(7, (max) => {
      seen.push(max);
      return picks.shift() ?? 0;
    });
    expect(code).toBe('azA-7-ZbB');
    expect(seen).toEqual(Array(6).fill(52));
  });
});

describe('randomLetters', () => {
  it('spreads letters evenly over a-zA-Z', () => {
    const counts = new Map<string, number>();
    const sample = randomLetters(52 * 400);
    for (const letter of sample) {
      counts.set(letter, (counts.get(letter) ?? 0) + 1);
    }
    expect([...counts.keys()].sort().join('')).toBe([...CODE_LETTERS].sort().join(''));
    // chi-square with 51 degrees of freedom; 99.99th percentile is about 100
    const expected = 400;
    const chiSquare = [...counts.values()].reduce((sum, n) => sum + (n - expected) ** 2 / expected, 0);
    expect(chiSquare).toBeLessThan(100);
  });
});

describe('CODE_PATTERN', () => {
  it('matches a whole code and captures its value', () => {
    expect(CODE_PATTERN.exec('aBc-417-XyZ')?.[1]).toBe('417');
    expect(CODE_PATTERN.exec('aBc--3-XyZ')?.[1]).toBe('-3');
  });

  it('rejects anything around or inside a code that the format does not allow', () => {
    for (const text of ['aBc-1-XyZx', 'xaBc-1-XyZ', 'aB-1-XyZ', 'aBc-1-Xy', 'aBc--XyZ', 'aBc-1.5-XyZ', 'a1c-1-XyZ']) {
      expect(text).not.toMatch(CODE_PATTERN);
    }
  });
});
