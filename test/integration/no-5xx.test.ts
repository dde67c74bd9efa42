// Property: no client input yields a 5xx. Random bodies, filters, paths, query parameters and
// headers go through the local runner (API Gateway emulation + handlers + DynamoDB Local).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalApi, type LocalApi } from '../support/local-api.ts';

let api: LocalApi;
let userId = '';
let groupId = '';
beforeAll(async () => {
  api = await startLocalApi();
  userId = (await api.call('POST', '/Users', { body: { userName: 'fuzz-target' } })).body.id;
  groupId = (await api.call('POST', '/Groups', { body: { displayName: 'fuzz-group', members: [{ value: userId }] } }))
    .body.id;
});
afterAll(async () => {
  await api.close();
});

const attr = fc.constantFrom(
  'userName',
  'name.givenName',
  'emails',
  'emails.value',
  'emails[type eq "work"].value',
  'active',
  'members',
  'members[value eq "x"]',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager',
  'meta.lastModified',
  'id',
  'groups',
  'displayName',
  'x.y.z',
  '',
);
const scalar = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.double());
const value = fc.oneof(
  scalar,
  fc.array(scalar),
  fc.dictionary(fc.string(), scalar),
  fc.array(fc.record({ value: scalar, type: scalar })),
  fc.jsonValue(),
);
const operation = fc.record({
  op: fc.oneof(fc.constantFrom('add', 'Replace', 'REMOVE', 'remove', 'bogus'), fc.string()),
  path: fc.option(fc.oneof(attr, fc.string()), { nil: undefined }),
  value: fc.option(value, { nil: undefined }),
});
const resourceBody = fc.oneof(
  fc.jsonValue(),
  fc.record(
    {
      userName: fc.oneof(fc.string(), scalar),
      displayName: scalar,
      emails: value,
      active: value,
      members: value,
      name: value,
      schemas: value,
    },
    { requiredKeys: [] },
  ),
);
const filterText = fc.oneof(
  fc.string(),
  fc
    .tuple(
      attr,
      fc.constantFrom('eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr', 'xx', 'EQ'),
      fc.oneof(
        fc.string().map((s) => JSON.stringify(s)),
        fc.constantFrom('true', 'null', '12', '"2020-01-01T00:00:00Z"', '('),
      ),
    )
    .map((p) => p.join(' ')),
);

const expectNo5xx = (res: { status: number; text: string }, what: string) =>
  expect(res.status, `${what} → ${res.text}`).toBeLessThan(500);

describe('no client input yields a 5xx', () => {
  it('for POST/PUT bodies on Users and Groups', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/Users', '/Groups'),
        fc.constantFrom('POST', 'PUT'),
        resourceBody,
        async (path, method, body) => {
          const target = method === 'PUT' ? `${path}/${path === '/Users' ? userId : groupId}` : path;
          expectNo5xx(await api.call(method, target, { body }), `${method} ${target} ${JSON.stringify(body)}`);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('for PATCH operations', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('Users', 'Groups'),
        fc.array(operation, { maxLength: 4 }),
        async (type, Operations) => {
          const id = type === 'Users' ? userId : groupId;
          const body = { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations };
          expectNo5xx(await api.call('PATCH', `/${type}/${id}`, { body }), JSON.stringify(body));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('for filters, paging, sorting and projection parameters', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('Users', 'Groups'),
        filterText,
        fc.option(fc.oneof(fc.integer(), fc.string())),
        fc.option(fc.oneof(fc.integer(), fc.string())),
        fc.option(fc.oneof(attr, fc.string())),
        fc.option(fc.string()),
        async (type, filter, startIndex, count, sortBy, attributes) => {
          const q = new URLSearchParams({ filter });
          if (startIndex !== null) q.set('startIndex', String(startIndex));
          if (count !== null) q.set('count', String(count));
          if (sortBy !== null) q.set('sortBy', sortBy);
          if (attributes !== null) q.set('attributes', attributes);
          expectNo5xx(await api.call('GET', `/${type}?${q}`), q.toString());
        },
      ),
      { numRuns: 200 },
    );
  });

  it('for raw bodies, content types, ids, cursors and entity tags', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string(),
        fc.constantFrom('application/json', 'application/scim+json', 'text/plain', 'application/xml', ''),
        fc.string({ minLength: 1 }),
        fc.string(),
        fc.string(),
        async (raw, contentType, id, cursor, etag) => {
          const safeId = encodeURIComponent(id);
          expectNo5xx(
            await api.call('POST', '/Users', {
              rawBody: raw,
              headers: contentType ? { 'Content-Type': contentType } : {},
            }),
            `raw ${raw}`,
          );
          expectNo5xx(await api.call('GET', `/Users/${safeId}`, { headers: { 'If-None-Match': etag } }), `id ${id}`);
          expectNo5xx(await api.call('DELETE', `/Groups/${safeId}`, { headers: { 'If-Match': etag } }), `delete ${id}`);
          expectNo5xx(await api.call('GET', `/Users?cursor=${encodeURIComponent(cursor)}`), `cursor ${cursor}`);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('hostile JSON', () => {
  it('answers a deeply nested body with 400 invalidSyntax, not a stack overflow', async () => {
    for (const [method, path] of [
      ['POST', '/Users'],
      ['PUT', `/Users/${userId}`],
      ['PATCH', `/Groups/${groupId}`],
    ] as const) {
      const deep = `{"userName":"deep","displayName":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
      const res = await api.call(method, path, { rawBody: deep, headers: { 'Content-Type': 'application/scim+json' } });
      expect(res.status, res.text).toBe(400);
      expect(res.body.scimType).toBe('invalidSyntax');
    }
  });
});
