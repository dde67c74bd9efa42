import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PatchPath } from '#scim/ast.ts';
import { InvalidPathError, type ScimError } from '#scim/errors.ts';
import { MAX_PATH_LENGTH, parsePatchPath } from '#scim/path.ts';

interface Case {
  name: string;
  /** The IdP known to send this shape (idp-quirks.md), when the case protects a quirk. */
  client?: string;
  path: string;
  expect?: PatchPath;
  error?: { status: number; scimType: string; detail: string };
}

const cases: Case[] = JSON.parse(readFileSync(new URL('./path.cases.json', import.meta.url), 'utf8'));

function attempt(text: string): { result?: PatchPath; error?: unknown } {
  try {
    return { result: parsePatchPath(text) };
  } catch (error) {
    return { error };
  }
}

describe('parsePatchPath (path.cases.json)', () => {
  it.each(cases.map((c) => [c.client ? `${c.client}: ${c.name}` : c.name, c] as const))('%s', (_, c) => {
    const { result, error } = attempt(c.path);
    if (c.error) {
      expect(error, JSON.stringify(result)).toBeInstanceOf(InvalidPathError);
      const e = error as ScimError;
      expect({ status: e.status, scimType: e.scimType, detail: e.detail }).toEqual(c.error);
    } else {
      expect(error, String(error)).toBeUndefined();
      expect(result).toEqual(c.expect);
    }
  });

  it(`refuses paths longer than ${MAX_PATH_LENGTH} characters`, () => {
    expect(() => parsePatchPath('a'.repeat(MAX_PATH_LENGTH + 1))).toThrow(
      `The path is ${MAX_PATH_LENGTH + 1} characters long; at most ${MAX_PATH_LENGTH} are accepted`,
    );
  });
});

describe('parsePatchPath: properties', () => {
  const onlyInvalidPath = (text: string) => {
    try {
      parsePatchPath(text);
    } catch (error) {
      if (!(error instanceof InvalidPathError)) throw error;
    }
  };

  it('throws nothing but InvalidPathError on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 120 }), onlyInvalidPath), { numRuns: 3000 });
  });

  it('throws nothing but InvalidPathError on path-shaped soup', () => {
    const piece = fc.constantFrom(
      'emails',
      'members',
      'name',
      '.',
      ':',
      '[',
      ']',
      ' ',
      '"',
      'value',
      'type',
      'eq',
      'co',
      'pr',
      'and',
      'or',
      'not',
      '(',
      ')',
      '"x"',
      'urn:ietf:params:scim:schemas:core:2.0:User',
      '2.0',
      '\\',
      'true',
    );
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 20 }).map((a) => a.join('')),
        onlyInvalidPath,
      ),
      { numRuns: 5000 },
    );
  });
});
