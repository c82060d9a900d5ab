import { randomInt } from 'node:crypto';

export const CODE_LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Returns a uniformly chosen integer in [0, max). */
export type RandomIndex = (max: number) => number;

/**
 * `count` letters from a-zA-Z. The default source is `crypto.randomInt`
 * (a CSPRNG, unbiased): codes may serve as one-time codes, so they must not
 * be predictable the way `Math.random` output is.
 */
export function randomLetters(count: number, random: RandomIndex = randomInt): string {
  let letters = '';
  for (let i = 0; i < count; i++) {
    letters += CODE_LETTERS.charAt(random(CODE_LETTERS.length));
  }
  return letters;
}

/** `<3 letters>-<value>-<3 letters>`, e.g. `aBc-42-XyZ`. */
export function formatCode(value: number, random: RandomIndex = randomInt): string {
  return `${randomLetters(3, random)}-${value}-${randomLetters(3, random)}`;
}

export const CODE_PATTERN = /^[a-zA-Z]{3}-(-?\d+)-[a-zA-Z]{3}$/;
