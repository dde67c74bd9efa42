import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CHECKSUM_CHARS,
  crc32,
  generateToken,
  hashToken,
  isWellFormed,
  RANDOM_CHARS,
  TOKEN_LENGTH,
  TOKEN_PREFIX,
} from '#auth/token.ts';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** A random source fed by fast-check: enough bytes for any number of rejection rounds. */
const bytesFrom = (seed: Uint8Array) => {
  let offset = 0;
  return (size: number) => {
    const out = new Uint8Array(size);
    for (let i = 0; i < size; i += 1) out[i] = seed[(offset + i) % seed.length]!;
    offset += size;
    return out;
  };
};
const seeds = fc.uint8Array({ minLength: 64, maxLength: 128 }).filter((a) => a.some((b) => b < 248));

describe('token format', () => {
  it('is scim_ + 43 base62 random chars + a 6-char base62 checksum', () => {
    const token = generateToken();
    expect(token).toMatch(/^scim_[0-9A-Za-z]{49}$/);
    expect(token).toHaveLength(TOKEN_LENGTH);
    expect(TOKEN_LENGTH).toBe(TOKEN_PREFIX.length + RANDOM_CHARS + CHECKSUM_CHARS);
  });

  it('carries at least 256 bits of randomness', () => {
    expect(RANDOM_CHARS * Math.log2(62)).toBeGreaterThanOrEqual(256);
  });

  it('draws each character uniformly (rejection sampling, no modulo bias)', () => {
    const counts = new Map<string, number>();
    const n = 3000;
    for (let i = 0; i < n; i += 1) {
      for (const c of generateToken().slice(TOKEN_PREFIX.length, TOKEN_PREFIX.length + RANDOM_CHARS)) {
        counts.set(c, (counts.get(c) ?? 0) + 1);
      }
    }
    expect(counts.size).toBe(62);
    // Expected ~2080 per character; with modulo bias over 256 the first 8 would get ~25% more.
    const expected = (n * RANDOM_CHARS) / 62;
    for (const count of counts.values()) expect(Math.abs(count - expected) / expected).toBeLessThan(0.12);
  });

  it('is deterministic for a given random source and never repeats for the real one', () => {
    const seed = randomBytes(96);
    expect(generateToken(bytesFrom(seed))).toBe(generateToken(bytesFrom(seed)));
    const many = new Set(Array.from({ length: 1000 }, () => generateToken()));
    expect(many.size).toBe(1000);
  });

  it('refuses a broken random source instead of looping', () => {
    expect(() => generateToken((size) => new Uint8Array(size).fill(255))).toThrow(/random source/);
  });
});

describe('isWellFormed', () => {
  it('accepts every generated token', () => {
    fc.assert(fc.property(seeds, (seed) => isWellFormed(generateToken(bytesFrom(seed)))));
  });

  it('rejects every single-character substitution, anywhere in the token', () => {
    fc.assert(
      fc.property(seeds, (seed) => {
        const token = generateToken(bytesFrom(seed));
        for (let i = 0; i < token.length; i += 1) {
          for (const c of ALPHABET + '_-') {
            if (c === token[i]) continue;
            const typo = token.slice(0, i) + c + token.slice(i + 1);
            if (isWellFormed(typo)) return false;
          }
        }
        return true;
      }),
      { numRuns: 20 },
    );
  });

  it('rejects every swap of two adjacent different characters', () => {
    fc.assert(
      fc.property(seeds, (seed) => {
        const token = generateToken(bytesFrom(seed));
        for (let i = 0; i + 1 < token.length; i += 1) {
          if (token[i] === token[i + 1]) continue;
          const swapped = token.slice(0, i) + token[i + 1] + token[i] + token.slice(i + 2);
          if (isWellFormed(swapped)) return false;
        }
        return true;
      }),
      { numRuns: 50 },
    );
  });

  it.each([
    ['empty', ''],
    ['truncated', (t: string) => t.slice(0, -1)],
    ['extended', (t: string) => `${t}a`],
    ['wrong prefix', (t: string) => `SCIM_${t.slice(5)}`],
    ['surrounding space', (t: string) => ` ${t}`],
    ['quoted', (t: string) => `"${t}"`],
    ['not a token at all', 'Bearer'],
  ])('rejects %s', (_name, make) => {
    const token = generateToken();
    expect(isWellFormed(typeof make === 'string' ? make : make(token))).toBe(false);
  });

  it('rejects random strings of the right shape (the checksum has to match)', () => {
    const body = fc.string({ unit: fc.constantFrom(...ALPHABET), minLength: 49, maxLength: 49 });
    // 1 in 62^6 could pass by chance; fast-check's 1000 runs will not see it.
    fc.assert(
      fc.property(body, (b) => !isWellFormed(`${TOKEN_PREFIX}${b}`)),
      { numRuns: 1000 },
    );
  });
});

describe('hashToken and crc32', () => {
  it('hashToken is SHA-256 hex (FIPS 180-2 "abc" vector)', () => {
    expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
  it('crc32 is the IEEE CRC-32 ("123456789" check value)', () => {
    expect(crc32('123456789')).toBe(0xcbf43926);
  });
});
