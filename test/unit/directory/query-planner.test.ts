// The query planner as data: a filter and the key lookups that answer it (or none: a bounded scan).
import { describe, expect, it } from 'vitest';
import { planIndex, referencedMemberValues, references, type IndexPlan } from '#directory/query-planner.ts';
import { parseFilter } from '#scim/filter.ts';
import { loadCases, runCases } from '../../support/cases.ts';

interface Case {
  name: string;
  type: 'User' | 'Group';
  filter: string;
  plan: IndexPlan | null;
}

const cases = loadCases<Case[]>('./query-planner.cases.json', import.meta.url);

describe('planIndex (query-planner.cases.json)', () => {
  runCases(cases, { run: (c) => planIndex(c.type, parseFilter(c.filter)) ?? null, expected: (c) => c.plan });
});

describe('what a filter says about computed attributes', () => {
  it.each([
    ['members eq "a" or members[value eq "b"]', ['a', 'b']],
    ['displayName eq "x" and members.value eq "a"', ['a']],
    ['displayName pr', []],
    ['members.display eq "Ada"', undefined],
    ['members[value sw "a"]', undefined],
  ] as const)('member values of %s', (filter, values) => {
    expect(referencedMemberValues(parseFilter(filter))).toEqual(values);
  });

  it.each([
    ['groups.value eq "g"', 'groups', true],
    ['not (groups eq "g")', 'groups', true],
    ['userName eq "a" and active eq true', 'groups', false],
  ] as const)('%s references %s: %s', (filter, attribute, expected) => {
    expect(references(parseFilter(filter), attribute)).toBe(expected);
  });
});
