import { preferredEncoding } from './static-text.js';

describe('preferredEncoding', () => {
  it('prefers Brotli whenever it is accepted, whatever the order of the header', () => {
    expect(preferredEncoding('gzip, deflate, br, zstd')).toBe('br');
    expect(preferredEncoding('br;q=0.1, gzip')).toBe('br');
    expect(preferredEncoding('*')).toBe('br');
  });

  it('falls back to gzip when Brotli is not accepted', () => {
    expect(preferredEncoding('gzip')).toBe('gzip');
    expect(preferredEncoding('gzip, deflate')).toBe('gzip');
    expect(preferredEncoding('BR;Q=0, *')).toBe('gzip');
  });

  it('sends the bytes as they are without a header, or when both are refused', () => {
    expect(preferredEncoding(undefined)).toBeUndefined();
    expect(preferredEncoding('')).toBeUndefined();
    expect(preferredEncoding('identity')).toBeUndefined();
    expect(preferredEncoding('br;q=0, gzip;q=0, *;q=1')).toBeUndefined();
    expect(preferredEncoding('deflate, *;q=0')).toBeUndefined();
  });
});
