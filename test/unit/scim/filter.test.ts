import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FilterNode } from '#scim/ast.ts';
import { InvalidFilterError, type ScimError } from '#scim/errors.ts';
import { MAX_FILTER_DEPTH, MAX_FILTER_LENGTH, parseFilter } from '#scim/filter.ts';
import { attempt, loadCases, runCases, type DataCase } from '../../support/cases.ts';

interface Case extends DataCase {
  filter: string;
  expect?: FilterNode;
}

const cases = loadCases<Case[]>('./filter.cases.json', import.meta.url);

/** The error parsing `filter` throws, which must be an InvalidFilterError. */
function errorOf(filter: string) {
  const { error } = attempt(() => parseFilter(filter));
  expect(error).toBeInstanceOf(InvalidFilterError);
  const e = error as ScimError;
  return { status: e.status, scimType: e.scimType, detail: e.detail };
}

describe('parseFilter (filter.cases.json)', () => {
  runCases(cases, { run: (c) => parseFilter(c.filter), errorType: InvalidFilterError });
});

describe('parseFilter: bounds', () => {
  it(`accepts ${MAX_FILTER_LENGTH} characters and refuses one more`, () => {
    const padded = (n: number) => `userName eq "${'x'.repeat(n - 14)}"`;
    expect(padded(MAX_FILTER_LENGTH)).toHaveLength(MAX_FILTER_LENGTH);
    expect(() => parseFilter(padded(MAX_FILTER_LENGTH))).not.toThrow();
    expect(errorOf(padded(MAX_FILTER_LENGTH + 1))).toEqual({
      status: 400,
      scimType: 'invalidFilter',
      detail: `The filter is ${MAX_FILTER_LENGTH + 1} characters long; at most ${MAX_FILTER_LENGTH} are accepted`,
    });
  });

  it(`accepts ${MAX_FILTER_DEPTH} nested levels and refuses one more`, () => {
    const nested = (n: number) => `${'('.repeat(n)}a pr${')'.repeat(n)}`;
    expect(parseFilter(nested(MAX_FILTER_DEPTH))).toEqual({ kind: 'present', path: { attribute: 'a' } });
    expect(errorOf(nested(MAX_FILTER_DEPTH + 1)).detail).toBe(
      `The filter nests deeper than ${MAX_FILTER_DEPTH} levels at position ${MAX_FILTER_DEPTH}`,
    );
  });

  it('counts not (...) and [...] as nesting levels', () => {
    const nots = `${'not ('.repeat(MAX_FILTER_DEPTH)}emails[type eq "x"]${')'.repeat(MAX_FILTER_DEPTH)}`;
    expect(errorOf(nots).detail).toMatch(/nests deeper than 32 levels at position 166$/);
  });

  it('takes long and/or chains without recursion (no stack overflow)', () => {
    const chain = Array.from({ length: 300 }, (_, i) => `a${i} pr`).join(' or ');
    expect(chain.length).toBeLessThan(MAX_FILTER_LENGTH);
    let node = parseFilter(chain);
    let depth = 0;
    while (node.kind === 'or') {
      node = node.left;
      depth++;
    }
    expect(depth).toBe(299);
  });

  it('honours a custom maximum length', () => {
    expect(() => parseFilter('title pr and userName pr', { maxLength: 10 })).toThrow(
      'The filter is 24 characters long; at most 10 are accepted',
    );
  });
});

// "No client input yields a 5xx": every input either parses or throws an InvalidFilterError.
describe('parseFilter: properties', () => {
  const throwsOnlyInvalidFilter = (text: string) => {
    try {
      parseFilter(text);
    } catch (error) {
      if (!(error instanceof InvalidFilterError)) throw error;
      expect(error.status).toBe(400);
      expect(error.detail.length).toBeGreaterThan(0);
    }
  };

  it('throws nothing but InvalidFilterError on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), throwsOnlyInvalidFilter), { numRuns: 3000 });
  });

  // Random strings rarely get past the first token; these are built from the grammar's own pieces.
  const pieces = fc.constantFrom(
    'userName',
    'emails',
    'name.givenName',
    'urn:ietf:params:scim:schemas:core:2.0:User:',
    'meta.lastModified',
    ' ',
    '  ',
    '(',
    ')',
    '[',
    ']',
    '.',
    ':',
    '"',
    '\\',
    '\\u',
    '"x"',
    '"a\\"b"',
    'eq',
    'Eq',
    'ne',
    'co',
    'sw',
    'gt',
    'pr',
    'and',
    'or',
    'not',
    'NOT',
    'true',
    'null',
    '12',
    '-1.5e3',
    '1e999',
    'value',
    'type',
    '$ref',
    'é',
    '\t',
  );
  const grammarSoup = fc.array(pieces, { maxLength: 30 }).map((parts) => parts.join(''));

  it('throws nothing but InvalidFilterError on grammar-shaped soup', () => {
    fc.assert(fc.property(grammarSoup, throwsOnlyInvalidFilter), { numRuns: 5000 });
  });

  it('reports every error position inside the text (or at its end)', () => {
    fc.assert(
      fc.property(grammarSoup, (text) => {
        try {
          parseFilter(text);
        } catch (error) {
          const m = /at position (\d+)/.exec((error as ScimError).detail);
          if (m) expect(Number(m[1])).toBeLessThanOrEqual(text.length);
        }
      }),
      { numRuns: 2000 },
    );
  });

  // Printing a tree and parsing it back gives the same tree: the parser reads what it should.
  const attrName = fc.constantFrom('userName', 'title', 'emails', 'x-y', 'not', 'And');
  const path = fc.record(
    { attribute: attrName, subAttribute: fc.constantFrom('value', 'type', 'givenName') },
    { requiredKeys: ['attribute'] },
  );
  const value = fc.oneof(
    fc.string({ maxLength: 8 }),
    fc.integer({ min: -1000, max: 1000 }),
    fc.boolean(),
    fc.constant(null),
  );
  const leaf: fc.Arbitrary<FilterNode> = fc.oneof(
    fc.record({ kind: fc.constant('present' as const), path }),
    fc
      .record({ path, op: fc.constantFrom('eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le' as const), value })
      .filter((c) => !((typeof c.value === 'boolean' || c.value === null) && c.op !== 'eq' && c.op !== 'ne'))
      .map((c) => ({ kind: 'compare' as const, ...c })),
  );
  const tree = fc.letrec<{ node: FilterNode }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.record({ kind: fc.constant('and' as const), left: tie('node'), right: tie('node') }),
      fc.record({ kind: fc.constant('or' as const), left: tie('node'), right: tie('node') }),
      fc.record({ kind: fc.constant('not' as const), filter: tie('node') }),
    ),
  })).node;

  const print = (n: FilterNode): string => {
    const p = (x: { attribute: string; subAttribute?: string }) =>
      x.subAttribute ? `${x.attribute}.${x.subAttribute}` : x.attribute;
    switch (n.kind) {
      case 'present':
        return `${p(n.path)} pr`;
      case 'compare':
        return `${p(n.path)} ${n.op} ${JSON.stringify(n.value)}`;
      case 'and':
        return `(${print(n.left)}) and (${print(n.right)})`;
      case 'or':
        return `(${print(n.left)}) or (${print(n.right)})`;
      case 'not':
        return `not (${print(n.filter)})`;
      case 'valuePath':
        return `${p(n.path)}[${print(n.filter)}]`;
    }
  };

  it('parses a printed tree back to the same tree', () => {
    fc.assert(
      fc.property(tree, (node) => {
        const text = print(node);
        fc.pre(text.length <= MAX_FILTER_LENGTH && !/\({33}/.test(text));
        try {
          expect(parseFilter(text)).toEqual(node);
        } catch (error) {
          // only the nesting limit may refuse a valid tree
          expect((error as ScimError).detail).toMatch(/nests deeper/);
        }
      }),
      { numRuns: 1000 },
    );
  });

  // parseFilter memoises trees by shape (filter-shape.ts); with `maxDepth` given it parses afresh.
  const outcome = (parse: () => FilterNode) => {
    try {
      return { tree: parse() };
    } catch (error) {
      return { error: (error as ScimError).detail };
    }
  };
  const memoised = (text: string) => outcome(() => parseFilter(text));
  const fresh = (text: string) => outcome(() => parseFilter(text, { maxDepth: MAX_FILTER_DEPTH }));
  /** `node` with its string values replaced by `strings` (cycling). */
  const restring = (n: FilterNode, strings: string[], at = { i: 0 }): FilterNode => {
    switch (n.kind) {
      case 'compare':
        return typeof n.value === 'string' ? { ...n, value: strings[at.i++ % strings.length]! } : n;
      case 'and':
      case 'or':
        return { ...n, left: restring(n.left, strings, at), right: restring(n.right, strings, at) };
      case 'not':
        return { ...n, filter: restring(n.filter, strings, at) };
      default:
        return n;
    }
  };

  it('gives from the memo of shapes what a first parse gives, whatever the literals', () => {
    fc.assert(
      fc.property(tree, fc.array(fc.string({ maxLength: 6 }), { minLength: 1, maxLength: 4 }), (node, strings) => {
        for (const text of [print(node), print(restring(node, strings)), print(node)]) {
          expect(memoised(text), text).toEqual(fresh(text));
        }
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(grammarSoup, (text) => {
        expect(memoised(text), text).toEqual(fresh(text));
      }),
      { numRuns: 3000 },
    );
  });
});
