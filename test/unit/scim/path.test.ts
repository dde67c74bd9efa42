import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PatchPath } from '#scim/ast.ts';
import { InvalidPathError } from '#scim/errors.ts';
import { MAX_PATH_LENGTH, parsePatchPath } from '#scim/path.ts';
import { loadCases, runCases, type DataCase } from '../../support/cases.ts';

interface Case extends DataCase {
  path: string;
  expect?: PatchPath;
}

const cases = loadCases<Case[]>('./path.cases.json', import.meta.url);

describe('parsePatchPath (path.cases.json)', () => {
  runCases(cases, { run: (c) => parsePatchPath(c.path), errorType: InvalidPathError });

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
