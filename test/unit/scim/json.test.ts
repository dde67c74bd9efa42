// The engine's JSON helpers that take shortcuts (json.ts): each must answer exactly what the
// plain expression it replaces answers.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { equalsFolded, equalsIgnoringCase, hasOwnKeys, shallowCopy } from '#scim/json.ts';

// Mostly ASCII names in any case, with the characters whose lower case changes length (U+0130),
// maps onto ASCII (U+212A Kelvin) or depends on context (Σ).
const text = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc
    .array(fc.constantFrom('a', 'A', 'z', 'Z', 'k', 'K', '\u212a', '\u0130', 'i', 'I', '\u03a3', '\u03c3', ':', '.'), {
      maxLength: 8,
    })
    .map((cs) => cs.join('')),
);

describe('json.ts shortcuts', () => {
  it('equalsIgnoringCase(a, b) is a.toLowerCase() === b.toLowerCase()', () => {
    fc.assert(
      fc.property(text, text, (a, b) => {
        expect(equalsIgnoringCase(a, b)).toBe(a.toLowerCase() === b.toLowerCase());
        expect(equalsIgnoringCase(a, a.toUpperCase())).toBe(a.toLowerCase() === a.toUpperCase().toLowerCase());
      }),
      { numRuns: 5000 },
    );
  });

  it('equalsFolded(x, lower) is x.toLowerCase() === lower', () => {
    fc.assert(
      fc.property(text, text, (x, y) => {
        const lower = y.toLowerCase();
        expect(equalsFolded(x, lower)).toBe(x.toLowerCase() === lower);
        expect(equalsFolded(x, x.toLowerCase())).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it('shallowCopy copies own keys in order, an own __proto__ as data, and shares the values', () => {
    const source = JSON.parse('{"b":{"x":1},"__proto__":{"polluted":true},"a":[1]}');
    const copy = shallowCopy(source);
    expect(Object.keys(copy)).toEqual(['b', '__proto__', 'a']);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(copy.b).toBe(source.b);
    expect(JSON.stringify(copy)).toBe(JSON.stringify(source));
    copy.c = 1;
    expect(source.c).toBeUndefined();
  });

  it('hasOwnKeys is Object.keys(obj).length > 0', () => {
    expect(hasOwnKeys({})).toBe(false);
    expect(hasOwnKeys(Object.create({ inherited: 1 }))).toBe(false);
    expect(hasOwnKeys({ a: undefined })).toBe(true);
  });
});
