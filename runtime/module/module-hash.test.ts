import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from './describe.js';

// The module hash `inspect` prints and the module cache keys on: small modules are hashed in
// JavaScript (@noble/hashes), large ones by node:crypto. OpenSSL (node:crypto) is the oracle for both.
const openssl = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describe('sha256Hex', () => {
  it('is SHA-256 for any module bytes, small or large', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096, size: 'max' }), (bytes) => {
        expect(sha256Hex(bytes)).toBe(openssl(bytes));
      }),
      { numRuns: 300 },
    );
  });

  it('agrees on both sides of the size where node:crypto takes over, and on a module view into a larger buffer', () => {
    for (const size of [0, 55, 56, 63, 64, 65, 65535, 65536, 65537, 1 << 20]) {
      const bytes = new Uint8Array(size).map((_, i) => (i * 131 + size) & 255);
      expect(sha256Hex(bytes), `size ${size}`).toBe(openssl(bytes));
    }
    const backing = new Uint8Array(1000).map((_, i) => i & 255);
    const view = backing.subarray(100, 400);
    expect(sha256Hex(view)).toBe(openssl(Uint8Array.from(view)));
  });
});
