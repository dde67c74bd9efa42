import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AttrPath } from '#scim/ast.ts';
import { parseAttributeList, project } from '#scim/projection.ts';
import type { ResourceTypeName } from '#scim/schema/registry.ts';
import { loadCases, runCases, type DataCase } from '../../support/cases.ts';
import { registry } from './fixtures.ts';

interface Case extends DataCase {
  resourceType: ResourceTypeName;
  resource: string;
  attributes?: string;
  excludedAttributes?: string;
  expect: Record<string, unknown>;
}

const data = loadCases<{ resources: Record<string, Record<string, unknown>>; cases: Case[] }>(
  './projection.cases.json',
  import.meta.url,
);

describe('project (projection.cases.json)', () => {
  runCases(data.cases, {
    run: (c) =>
      project(registry, c.resourceType, data.resources[c.resource]!, {
        attributes: c.attributes,
        excludedAttributes: c.excludedAttributes,
      }),
  });

  it('accepts already parsed lists', () => {
    const user = data.resources.user!;
    expect(project(registry, 'User', user, { attributes: [{ attribute: 'userName' }] })).toEqual(
      project(registry, 'User', user, { attributes: 'userName' }),
    );
  });

  it('never returns password or writeOnly values, whatever is asked', () => {
    const user = data.resources.user!;
    const names = fc.constantFrom(
      'password',
      'secret',
      'userName',
      'name.givenName',
      'emails',
      'emails.value',
      'meta',
      'id',
      'groups',
      'urn:ietf:params:scim:schemas:extension:test:2.0:User',
      'urn:ietf:params:scim:schemas:extension:test:2.0:User:secret',
      'urn:ietf:params:scim:schemas:core:2.0:User',
      'manager',
      'internalNote',
      '',
      ' ',
      '[',
      ']',
    );
    const list = fc.array(fc.oneof(names, fc.string()), { maxLength: 5 }).map((xs) => xs.join(','));
    fc.assert(
      fc.property(
        fc.option(list, { nil: undefined }),
        fc.option(list, { nil: undefined }),
        (attributes, excludedAttributes) => {
          const out = project(registry, 'User', user, { attributes, excludedAttributes });
          const text = JSON.stringify(out);
          expect(text).not.toContain('must-never-leak');
          expect(text).not.toContain('s3cr3t');
          expect(out.id).toBe('01HZX');
          expect(out.schemas).toEqual(user.schemas);
        },
      ),
    );
  });
});

describe('parseAttributeList', () => {
  const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
  it.each<[string, string | undefined, AttrPath[]]>([
    ['nothing', undefined, []],
    ['empty', '', []],
    ['one name', 'userName', [{ attribute: 'userName' }]],
    ['list with blanks', ' userName , ,displayName,', [{ attribute: 'userName' }, { attribute: 'displayName' }]],
    ['sub-attribute', 'name.givenName', [{ attribute: 'name', subAttribute: 'givenName' }]],
    ['URN attribute', `${ENTERPRISE}:department`, [{ uri: ENTERPRISE, attribute: 'department' }]],
    [
      'URN sub-attribute',
      `${ENTERPRISE}:manager.value`,
      [{ uri: ENTERPRISE, attribute: 'manager', subAttribute: 'value' }],
    ],
    [
      'whole extension',
      ENTERPRISE,
      [{ uri: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0', attribute: 'User' }],
    ],
    ['Entra: filter in brackets', 'emails[type eq "work"]', [{ attribute: 'emails' }]],
    [
      'Entra: filter then sub-attribute',
      'emails[type eq "work"].value',
      [{ attribute: 'emails', subAttribute: 'value' }],
    ],
    [
      'comma inside a bracket filter',
      'emails[value co ","],userName',
      [{ attribute: 'emails' }, { attribute: 'userName' }],
    ],
    ['bracket in a quoted string', 'emails[value eq "]"].display', [{ attribute: 'emails', subAttribute: 'display' }]],
  ])('%s', (_, param, expected) => {
    expect(parseAttributeList(param)).toEqual(expected);
  });

  it('never throws', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        parseAttributeList(s);
      }),
    );
  });
});
