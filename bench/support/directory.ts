// A tenant directory of a given size for the HTTP sections: `size` users seeded straight into the
// table, one group ("All users") holding every one of them, and a small group ("Engineering", 3
// members) made over HTTP. Every seeded user is alike (same size, one group), so any page of
// the directory costs what any other does.
import type { LocalStack, Scim } from './local-stack.ts';
import { expectStatus } from './local-stack.ts';
import { seedMembers, seedUsers, type SeededUser } from './seed.ts';
import { nowMs } from './stats.ts';

export interface Directory {
  size: number;
  scim: Scim;
  users: SeededUser[];
  bigGroupId: string;
  smallGroupId: string;
  seedMs: number;
}

const progressLine = (label: string) => {
  let last = 0;
  return (done: number, total: number) => {
    const now = Date.now();
    if (now - last > 5000 || done === total) {
      last = now;
      process.stdout.write(`    ${label}: ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} items\n`);
    }
  };
};

export async function buildDirectory(stack: LocalStack, tenantId: string, size: number): Promise<Directory> {
  const start = nowMs();
  const scim = await stack.tenant(tenantId);
  // The big group first: every seeded user carries its id in its groups.
  const big = expectStatus(
    await scim.call('POST', '/Groups', {
      body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'All users' },
    }),
    201,
    'create group',
  );
  const bigGroupId = big.body.id as string;
  const users = await seedUsers(stack.ctx.db, tenantId, size, {
    tag: tenantId,
    groupIds: [bigGroupId],
    concurrency: 32,
    onProgress: progressLine(`${tenantId} users`),
  });
  await seedMembers(stack.ctx.db, tenantId, bigGroupId, users, {
    concurrency: 32,
    onProgress: progressLine(`${tenantId} members`),
  });
  const small = expectStatus(
    await scim.call('POST', '/Groups', {
      body: {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
        displayName: 'Engineering',
        externalId: `${tenantId}-eng`,
        members: users.slice(0, 3).map((u) => ({ value: u.id, display: u.userName })),
      },
    }),
    201,
    'create small group',
  );
  return { size, scim, users, bigGroupId, smallGroupId: small.body.id as string, seedMs: nowMs() - start };
}

/** A seeded user must read back over HTTP exactly like a created one (same attributes, same shape). */
export async function verifySeedFormat(dir: Directory): Promise<string | undefined> {
  const seeded = dir.users[dir.users.length - 1]!;
  const got = expectStatus(await dir.scim.call('GET', `/Users/${seeded.id}`), 200, 'GET seeded user');
  const body = { ...got.body } as Record<string, unknown>;
  const created = expectStatus(
    await dir.scim.call('POST', '/Users', {
      body: {
        ...Object.fromEntries(Object.entries(body).filter(([k]) => !['id', 'meta', 'groups'].includes(k))),
        userName: `verify-${seeded.userName}`,
        externalId: `verify-${seeded.externalId}`,
      },
    }),
    201,
    'POST copy of seeded user',
  );
  const shape = (r: Record<string, unknown>) =>
    JSON.stringify(
      Object.keys(r)
        .filter((k) => k !== 'groups')
        .sort(),
    );
  const problem =
    shape(body) === shape(created.body) ? undefined : `seeded ${shape(body)} vs created ${shape(created.body)}`;
  expectStatus(await dir.scim.call('DELETE', `/Users/${created.body.id as string}`), 204, 'DELETE verify user');
  return problem;
}
