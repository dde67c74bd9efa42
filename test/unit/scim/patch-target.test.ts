// The PATCH engine's memo of parsed paths (patch-target.ts parsePath) is keyed by shape: the path
// with the contents of its quoted strings left out. Whatever the order paths arrive in, it must
// give the tree parsePatchPath gives, or the same error.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ScimError } from '#scim/errors.ts';
import { parsePath } from '#scim/patch-target.ts';
import { parsePatchPath } from '#scim/path.ts';
import { loadCases } from '../../support/cases.ts';

const cases = loadCases<{ path: string }[]>('./path.cases.json', import.meta.url);

function outcome(parse: (text: string) => unknown, text: string) {
  try {
    return { tree: parse(text) };
  } catch (error) {
    return { error: (error as ScimError).detail };
  }
}

const memoised = (text: string) => parsePath(text).path;

describe('parsePath (memoised by shape)', () => {
  it('gives what parsePatchPath gives for every path case, first and second time', () => {
    for (const pass of [1, 2]) {
      for (const c of cases) {
        expect(outcome(memoised, c.path), `pass ${pass}: ${c.path}`).toEqual(outcome(parsePatchPath, c.path));
      }
    }
  });

  it('shares the shape of paths that differ only in quoted values', () => {
    // A shape no other test uses, so `a` is the first of its shape.
    const a = parsePath('addresses[locality eq "a"].region');
    const b = parsePath('addresses[locality eq "b"].region');
    expect(b.shape).toBe(a.shape);
    expect(b.path).toEqual(parsePatchPath('addresses[locality eq "b"].region'));
    expect(a.path).toEqual(parsePatchPath('addresses[locality eq "a"].region'));
    expect(b.path.path, 'what is not a literal is shared').toBe(a.path.path);
    expect(parsePath('addresses[locality eq "a"].region').path, 'the first text is not parsed again').toBe(a.path);
    expect(parsePath('addresses[region eq "a"].region').shape).not.toBe(a.shape);
  });

  it('gives what parsePatchPath gives whatever the literals, escapes and bare values', () => {
    const literal = fc.oneof(
      fc.string({ maxLength: 6 }).map((s) => JSON.stringify(s)),
      fc.constantFrom('"a\\"b"', '"\\u0041"', '"x\\q"', '"open', 'bare', '12', 'true', 'null', '""'),
    );
    const term = fc
      .tuple(fc.constantFrom('value', 'type', 'display', 'primary'), fc.constantFrom('eq', 'co', 'ne', 'pr'), literal)
      .map(([a, o, v]) => (o === 'pr' ? `${a} pr` : `${a} ${o} ${v}`));
    const path = fc
      .tuple(
        fc.constantFrom('members', 'emails', 'urn:ietf:params:scim:schemas:extension:test:2.0:User:licence'),
        fc.array(fc.tuple(fc.constantFrom(' and ', ' or '), term), { minLength: 1, maxLength: 3 }),
        fc.constantFrom('', '.value', '.display', '.', '[x]'),
      )
      .map(([attr, terms, tail]) => `${attr}[${terms.map(([j, t], i) => (i === 0 ? t : `${j}${t}`)).join('')}]${tail}`);
    fc.assert(
      fc.property(path, (text) => {
        expect(outcome(memoised, text)).toEqual(outcome(parsePatchPath, text));
      }),
      { numRuns: 5000 },
    );
  });
});
