import { jest } from '@jest/globals';

// Replace node:crypto before code-format is loaded, to prove its default
// letters come from crypto.randomInt (a CSPRNG) and not from Math.random.
const randomInt = jest.fn((max: number) => max - 1);
jest.unstable_mockModule('node:crypto', () => ({ randomInt }));
const { formatCode } = await import('./code-format.js');

describe('formatCode default randomness', () => {
  it('draws each letter from crypto.randomInt', () => {
    const mathRandom = jest.spyOn(Math, 'random');
    expect(formatCode(5)).toBe('ZZZ-5-ZZZ');
    expect(randomInt).toHaveBeenCalledTimes(6);
    expect(randomInt).toHaveBeenCalledWith(52);
    expect(mathRandom).not.toHaveBeenCalled();
  });
});
