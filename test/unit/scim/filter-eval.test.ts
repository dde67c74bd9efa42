import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDateTime } from '#scim/date-time.ts';
import { InvalidFilterError, ScimError } from '#scim/errors.ts';
import { registryLookup } from '#scim/attribute-access.ts';
import { compileElementFilter, compileFilter, matchesFilter, type AttributeLookup } from '#scim/filter-eval.ts';
import { parseFilter } from '#scim/filter.ts';
import type { ResourceTypeName } from '#scim/schema/registry.ts';
import { attempt, loadCases, runCases, type DataCase } from '../../support/cases.ts';
import { registry } from './fixtures.ts';

interface Case extends DataCase {
  resourceType: ResourceTypeName;
  resource: string;
  filter: string;
  expect?: boolean;
}

// The cases run against a registry whose custom extension is TEST_EXTENSION_ID (fixtures.ts).
const data = loadCases<{ resources: Record<string, Record<string, unknown>>; cases: Case[] }>(
  './filter-eval.cases.json',
  import.meta.url,
);

const lookupFor =
  (rt: ResourceTypeName): AttributeLookup =>
  (p) =>
    registry.resolve(rt, p);

const evaluate = (c: Case, lookup: AttributeLookup = lookupFor(c.resourceType)) =>
  matchesFilter(parseFilter(c.filter), data.resources[c.resource]!, lookup);

const run = (c: Case, lookup?: AttributeLookup) => attempt(() => evaluate(c, lookup));

describe('matchesFilter (filter-eval.cases.json)', () => {
  runCases(data.cases, { run: (c) => evaluate(c), errorType: InvalidFilterError });

  it('gives the same answers with a definitions-only resolver, except where a location is needed', () => {
    // registry.resolver() knows types but not where an unqualified extension attribute or a
    // legacy URN lives; those two cases need registry.resolve().
    const needsLocation = new Set([
      'extension attribute without URN',
      'entra-filter-id-and-manager',
      'entra-legacy-enterprise-urn-with-dot',
    ]);
    for (const c of data.cases) {
      if (needsLocation.has(c.name)) continue;
      const { result, error } = run(c, registry.resolver(c.resourceType));
      if (c.error) expect((error as ScimError).detail, c.name).toBe(c.error.detail);
      else expect(result, c.name).toBe(c.expect);
    }
  });

  it('never modifies the resource', () => {
    const before = JSON.stringify(data.resources);
    for (const c of data.cases) run(c);
    expect(JSON.stringify(data.resources)).toBe(before);
  });

  it('gives the same answers and errors from the memo of compiled shapes', () => {
    // One look-up for all cases: the second pass compiles nothing, every filter instantiates a
    // memoised shape, often one first compiled from another case's literals.
    for (const pass of [1, 2]) {
      for (const c of data.cases) {
        const { result, error } = run(c, registryLookup(registry, c.resourceType));
        if (c.error) expect((error as ScimError)?.detail, `pass ${pass}: ${c.name}`).toBe(c.error.detail);
        else expect(result, `pass ${pass}: ${c.name}`).toBe(c.expect);
      }
    }
  });

  it('compiles once and evaluates many resources', () => {
    const matches = compileFilter(parseFilter('userName sw "a" and active eq true'), lookupFor('User'));
    const users = Array.from({ length: 100 }, (_, i) => ({
      userName: `${i % 2 ? 'a' : 'b'}${i}`,
      active: i % 3 !== 0,
    }));
    expect(users.filter(matches).length).toBe(users.filter((u, i) => i % 2 === 1 && u.active).length);
  });
});

describe('parseDateTime', () => {
  it.each([
    ['2011-05-13T04:42:34Z', Date.UTC(2011, 4, 13, 4, 42, 34), 0],
    ['2011-05-13T04:42:34.123Z', Date.UTC(2011, 4, 13, 4, 42, 34, 123), 0],
    ['2015-10-10T14:38:21.8617979-07:00', Date.UTC(2015, 9, 10, 21, 38, 21, 861), 797900],
    ['2011-05-13T06:42:34+0200', Date.UTC(2011, 4, 13, 4, 42, 34), 0],
    ['2011-05-13T04:42:34', Date.UTC(2011, 4, 13, 4, 42, 34), 0],
    ['2011-05-13t04:42z', Date.UTC(2011, 4, 13, 4, 42), 0],
    ['2011-05-13', Date.UTC(2011, 4, 13), 0],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29), 0],
  ])('%s', (text, ms, ns) => {
    expect(parseDateTime(text)).toEqual({ ms, ns });
  });

  it.each([
    'yesterday',
    '2011-13-01T00:00:00Z',
    '2023-02-29T00:00:00Z',
    '2011-05-13T25:00:00Z',
    '2011-05-13T04:42:34+25:00',
    '2011-05-13T04:42:34.Z',
    '2011-05-13T04:42:34Zjunk',
    '11-05-13',
    '0001-01-01T00:00:00Z',
    '',
  ])('refuses %j', (text) => {
    expect(parseDateTime(text)).toBeUndefined();
  });
});

describe('matchesFilter: properties', () => {
  const attr = fc.constantFrom(
    'userName',
    'title',
    'active',
    'emails',
    'emails.value',
    'emails.primary',
    'meta.lastModified',
    'name',
    'name.givenName',
    'urn:ietf:params:scim:schemas:extension:test:2.0:User:seats',
    'urn:ietf:params:scim:schemas:extension:test:2.0:User:tags',
    'employeeNumber',
    'members',
    'nope',
    'constructor',
    '__proto__x',
    'x-y',
  );
  const value = fc.oneof(
    fc.string({ maxLength: 6 }).map((s) => JSON.stringify(s)),
    fc.constantFrom('true', 'false', 'null', '12', '-1.5', '"2011-05-13T04:42:34Z"', '"True"', 'bare'),
  );
  const op = fc.constantFrom('eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le');
  const term = fc.oneof(
    fc.tuple(attr, op, value).map(([a, o, v]) => `${a} ${o} ${v}`),
    attr.map((a) => `${a} pr`),
    fc
      .tuple(fc.constantFrom('emails', 'addresses', 'members', 'title'), op, value)
      .map(([a, o, v]) => `${a}[type ${o} ${v} or value pr]`),
  );
  const filter = fc
    .array(fc.tuple(fc.constantFrom(' and ', ' or ', ' and not '), term), { minLength: 1, maxLength: 4 })
    .map((parts) => parts.map(([j, t], i) => (i === 0 ? t : j.endsWith('not ') ? `${j}(${t})` : `${j}${t}`)).join(''));
  const resource = fc.oneof(
    fc.constant(data.resources.bjensen!),
    fc.constant(data.resources.tourGuides!),
    fc.jsonValue({ maxDepth: 3 }).map((v) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? v : { v })),
  );

  it('throws nothing but InvalidFilterError, whatever the filter and the stored data', () => {
    fc.assert(
      fc.property(filter, resource, fc.constantFrom<ResourceTypeName>('User', 'Group'), (text, res, rt) => {
        try {
          const node = parseFilter(text);
          const matches = compileFilter(node, lookupFor(rt));
          expect(typeof matches(res as Record<string, unknown>)).toBe('boolean');
        } catch (error) {
          if (!(error instanceof InvalidFilterError)) throw error;
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('memoised shapes agree with a first compile, whatever the literals', () => {
    // `shared` keeps its memo across runs, so a shape is compiled with the literals of whichever
    // filter came first and reused for the others; `fresh` compiles every filter anew.
    const shared = registryLookup(registry, 'User');
    const outcome = (text: string, lookup: AttributeLookup, res: Record<string, unknown>) => {
      try {
        return { matched: compileFilter(parseFilter(text), lookup)(res) };
      } catch (error) {
        return { error: (error as ScimError).detail };
      }
    };
    fc.assert(
      fc.property(filter, resource, (text, res) => {
        const r = res as Record<string, unknown>;
        expect(outcome(text, shared, r)).toEqual(outcome(text, lookupFor('User'), r));
      }),
      { numRuns: 3000 },
    );
  });

  it('memoised value filters agree with a first compile, whatever the literals', () => {
    const shared = registryLookup(registry, 'User');
    const elements = [
      { value: 'a@x.com', type: 'work', primary: true },
      { value: 'B@x.com', type: 'home' },
      'bare',
      null,
    ];
    fc.assert(
      fc.property(fc.constantFrom('emails', 'addresses', 'roles'), op, value, (attribute, o, v) => {
        const text = `${attribute}[type ${o} ${v} or value ${o} ${v}]`;
        const run = (lookup: AttributeLookup) => {
          try {
            const node = parseFilter(text);
            if (node.kind !== 'valuePath') throw new Error('not a value path');
            const test = compileElementFilter({ attribute }, node.filter, lookup);
            return { matched: elements.map((e) => test(e)) };
          } catch (error) {
            return { error: (error as ScimError).detail };
          }
        };
        expect(run(shared)).toEqual(run(lookupFor('User')));
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees: "x ne v" is "not (x eq v)"', () => {
    fc.assert(
      fc.property(attr, value, (a, v) => {
        const lookup = lookupFor('User');
        const res = data.resources.bjensen!;
        let ne: boolean, notEq: boolean;
        try {
          ne = matchesFilter(parseFilter(`${a} ne ${v}`), res, lookup);
          notEq = matchesFilter(parseFilter(`not (${a} eq ${v})`), res, lookup);
        } catch (error) {
          expect(error).toBeInstanceOf(ScimError);
          return;
        }
        expect(ne).toBe(notEq);
      }),
      { numRuns: 1000 },
    );
  });
});
