// `npm run smoke -- --url <SCIM base URL> --token <token>`: checks a deployment in one command.
// It calls the discovery endpoints, runs both public conformance suites (../shared/conformance,
// when present), then a short create / read / filter / patch / replace / delete sequence of a user
// and a group, and finally deletes every user and group the run created, whatever failed.
//
// Use a token of a tenant kept for this (e.g. `scim-admin tenant create smoke` and a token for
// it): the Microsoft suite counts every user of the tenant, so it is skipped on a tenant that
// already has users or groups. Nothing that existed before the run is touched.
//
// Exit code 0 when every check passed, 1 otherwise, 2 for bad arguments.
import '../bin/quiet-sdk-warning.ts';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { SUITES, formatResult, isClean, runSuite, unavailableReason } from '../test/conformance/suites.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

interface Response {
  status: number;
  body: any;
  text: string;
}

function client(scimUrl: string, token: string) {
  return async (method: string, path: string, body?: unknown): Promise<Response> => {
    const res = await fetch(`${scimUrl}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        Accept: 'application/scim+json',
        ...(body === undefined ? {} : { 'Content-Type': 'application/scim+json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed, text };
  };
}

type Call = ReturnType<typeof client>;

/** Every id of a resource type, page by page. */
async function allIds(call: Call, endpoint: 'Users' | 'Groups'): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 1; ; start += 200) {
    const res = await call('GET', `/${endpoint}?attributes=id&count=200&startIndex=${start}`);
    if (res.status !== 200) throw new Error(`GET /${endpoint}: ${res.status} ${res.text.slice(0, 300)}`);
    const page = (res.body?.Resources ?? []) as Array<{ id: string }>;
    ids.push(...page.map((r) => r.id));
    if (page.length === 0 || ids.length >= Number(res.body.totalResults)) return ids;
  }
}

class Checks {
  readonly failed: string[] = [];
  passed = 0;
  expect(what: string, res: Response, ...statuses: number[]): boolean {
    if (statuses.includes(res.status)) {
      this.passed += 1;
      console.log(`  ok    ${what} (${res.status})`);
      return true;
    }
    this.failed.push(what);
    console.log(`  FAIL  ${what}: expected ${statuses.join(' or ')}, got ${res.status} ${res.text.slice(0, 300)}`);
    return false;
  }
  that(what: string, ok: boolean, detail = ''): boolean {
    if (ok) this.passed += 1;
    else this.failed.push(what);
    console.log(`  ${ok ? 'ok  ' : 'FAIL'}  ${what}${ok || !detail ? '' : `: ${detail}`}`);
    return ok;
  }
}

async function crud(call: Call, checks: Checks): Promise<void> {
  const name = `smoke-${randomUUID().slice(0, 8)}@example.com`;
  const user = await call('POST', '/Users', {
    schemas: [USER],
    userName: name,
    name: { givenName: 'Smoke', familyName: 'Test' },
    emails: [{ value: name, type: 'work', primary: true }],
  });
  if (!checks.expect('POST /Users creates a user', user, 201)) return;
  const userId = user.body.id as string;
  checks.expect('GET /Users/{id} reads it back', await call('GET', `/Users/${userId}`), 200);
  const found = await call('GET', `/Users?filter=${encodeURIComponent(`userName eq "${name}"`)}`);
  checks.that(
    'GET /Users?filter=userName eq finds it',
    found.status === 200 && found.body?.Resources?.[0]?.id === userId,
    `${found.status} ${found.text.slice(0, 200)}`,
  );
  const patched = await call('PATCH', `/Users/${userId}`, {
    schemas: [PATCH_OP],
    Operations: [{ op: 'replace', path: 'active', value: false }],
  });
  checks.expect('PATCH /Users/{id} deactivates it', patched, 200, 204);
  const replaced = await call('PUT', `/Users/${userId}`, {
    schemas: [USER],
    userName: name,
    active: true,
    title: 'Smoke',
  });
  checks.that(
    'PUT /Users/{id} replaces it',
    replaced.status === 200 && replaced.body?.title === 'Smoke',
    `${replaced.status} ${replaced.text.slice(0, 200)}`,
  );
  const group = await call('POST', '/Groups', {
    schemas: [GROUP],
    displayName: `smoke-${randomUUID().slice(0, 8)}`,
    members: [{ value: userId }],
  });
  if (checks.expect('POST /Groups creates a group with the user', group, 201)) {
    const groupId = group.body.id as string;
    const removed = await call('PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'remove', path: `members[value eq "${userId}"]` }],
    });
    checks.expect('PATCH /Groups/{id} removes the member', removed, 200, 204);
    checks.expect('DELETE /Groups/{id}', await call('DELETE', `/Groups/${groupId}`), 204);
    checks.expect('GET /Groups/{id} after delete is 404', await call('GET', `/Groups/${groupId}`), 404);
  }
  checks.expect('DELETE /Users/{id}', await call('DELETE', `/Users/${userId}`), 204);
  checks.expect('GET /Users/{id} after delete is 404', await call('GET', `/Users/${userId}`), 404);
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        url: { type: 'string' },
        token: { type: 'string' },
        'skip-suites': { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  const token = values.token ?? process.env.SCIM_TOKEN;
  if (!values.url || !token || !URL.canParse(values.url)) {
    console.error('usage: npm run smoke -- --url https://<api>/<stage>/scim/v2 --token <SCIM token>  [--skip-suites]');
    return 2;
  }
  const scimUrl = values.url.replace(/\/+$/, '');
  const host = new URL(scimUrl).hostname;
  const call = client(scimUrl, token);
  const checks = new Checks();
  console.log(`smoke test of ${scimUrl}`);

  const config = await call('GET', '/ServiceProviderConfig');
  if (!checks.expect('GET /ServiceProviderConfig with the token', config, 200)) {
    console.log('\nsmoke: FAILED (the URL or the token does not work; nothing was written)');
    return 1;
  }
  checks.expect('GET /ResourceTypes', await call('GET', '/ResourceTypes'), 200);
  checks.expect('GET /Schemas', await call('GET', '/Schemas'), 200);

  const before = { users: new Set(await allIds(call, 'Users')), groups: new Set(await allIds(call, 'Groups')) };
  let deleted = { users: 0, groups: 0 };
  let left = 0;
  /** Deletes what this run created (the suites leave users behind), and nothing else. */
  const cleanUp = async () => {
    const users = (await allIds(call, 'Users')).filter((id) => !before.users.has(id));
    const groups = (await allIds(call, 'Groups')).filter((id) => !before.groups.has(id));
    for (const [endpoint, ids] of [
      ['Groups', groups],
      ['Users', users],
    ] as const) {
      for (const id of ids) {
        const res = await call('DELETE', `/${endpoint}/${id}`);
        if (res.status !== 204 && res.status !== 404) left += 1;
      }
    }
    deleted = { users: deleted.users + users.length, groups: deleted.groups + groups.length };
  };
  try {
    const missing = unavailableReason();
    if (values['skip-suites']) console.log('conformance suites: skipped (--skip-suites)');
    else if (missing) console.log(missing);
    else {
      for (const suite of SUITES) {
        if (suite.id === 'microsoft' && before.users.size + before.groups.size > 0) {
          console.log(
            `${suite.title}: skipped, it needs a tenant without users and groups (this one has ${before.users.size} users, ${before.groups.size} groups)`,
          );
          continue;
        }
        const result = await runSuite(suite, {
          scimUrl,
          token,
          tenantId: '(the token’s tenant)',
          allowedHosts: [host],
        });
        console.log(formatResult(result));
        checks.that(`conformance: ${suite.title}`, isClean(result));
        // Each suite starts from the tenant as it was: the Microsoft one counts every user.
        await cleanUp();
      }
    }
    console.log('create / read / patch / delete:');
    await crud(call, checks);
  } finally {
    await cleanUp();
    checks.that(
      `clean-up: deleted the ${deleted.users} users and ${deleted.groups} groups this run created`,
      left === 0,
      `${left} could not be deleted`,
    );
  }
  console.log(
    `\nsmoke: ${checks.failed.length ? `FAILED (${checks.failed.length} of ${checks.passed + checks.failed.length} checks)` : `${checks.passed} checks passed`}`,
  );
  return checks.failed.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
