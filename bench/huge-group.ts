// Item 3: a group with every user of the directory as a member (100,000 in the full run). The
// single-member operations, and a page of the group's users by `groups.value eq`, must cost what
// they cost on a small group; reading the whole member list must end in a documented limit
// (refused from the group's member count, before the members are read), never in a crash or
// Lambda's 6 MB response error.
import type { Directory } from './support/directory.ts';
import type { CallResult } from './support/local-stack.ts';
import type { Report } from './support/report.ts';
import { round } from './support/stats.ts';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const LAMBDA_MAX_RESPONSE_BYTES = 6 * 1024 * 1024;
const q = encodeURIComponent;

interface Probe {
  name: string;
  request: string;
  /** Must cost the same whatever the group size. */
  sizeIndependent: boolean;
  /** `userId`: a user created for the probes, not yet in the group. */
  call(d: Directory, userId: string): Promise<CallResult>;
}

const member = (d: Directory) => d.users[Math.floor(d.users.length / 2)]!;
const patch = (d: Directory, ops: unknown[]) =>
  d.scim.call('PATCH', `/Groups/${d.bigGroupId}`, { body: { schemas: [PATCH_OP], Operations: ops } });

const PROBES: Probe[] = [
  {
    name: 'add one member',
    request: 'PATCH add members (Okta)',
    sizeIndependent: true,
    call: (d, id) => patch(d, [{ op: 'add', path: 'members', value: [{ value: id, display: 'probe' }] }]),
  },
  {
    name: 'remove one member',
    request: 'PATCH remove members[value eq] (Okta)',
    sizeIndependent: true,
    call: (d, id) => patch(d, [{ op: 'remove', path: `members[value eq "${id}"]` }]),
  },
  {
    name: 'add one member (Entra)',
    request: 'PATCH Add members [{$ref: null, value}]',
    sizeIndependent: true,
    call: (d, id) => patch(d, [{ op: 'Add', path: 'members', value: [{ $ref: null, value: id }] }]),
  },
  {
    name: 'remove one member (Entra)',
    request: 'PATCH Remove members value=[{value}]',
    sizeIndependent: true,
    call: (d, id) => patch(d, [{ op: 'Remove', path: 'members', value: [{ value: id }] }]),
  },
  {
    name: 'get without members',
    request: 'GET /Groups/{id}?excludedAttributes=members',
    sizeIndependent: true,
    call: (d) => d.scim.call('GET', `/Groups/${d.bigGroupId}?excludedAttributes=members`),
  },
  {
    name: 'membership check',
    request: 'GET /Groups?excludedAttributes=members&filter=id eq … and members eq …',
    sizeIndependent: true,
    call: (d) =>
      d.scim.call(
        'GET',
        `/Groups?excludedAttributes=members&filter=${q(`id eq "${d.bigGroupId}" and members eq "${member(d).id}"`)}`,
      ),
  },
  {
    name: 'groups of a member',
    request: 'GET /Groups?excludedAttributes=members&filter=members eq …',
    sizeIndependent: true,
    call: (d) => d.scim.call('GET', `/Groups?excludedAttributes=members&filter=${q(`members eq "${member(d).id}"`)}`),
  },
  {
    name: 'membership check, members not excluded',
    request: 'GET /Groups?filter=id eq … and members eq …',
    sizeIndependent: false,
    call: (d) => d.scim.call('GET', `/Groups?filter=${q(`id eq "${d.bigGroupId}" and members eq "${member(d).id}"`)}`),
  },
  {
    name: 'displayName filter, members not excluded',
    request: 'GET /Groups?filter=displayName eq (Okta)',
    sizeIndependent: false,
    call: (d) => d.scim.call('GET', `/Groups?filter=${q('displayName eq "All users"')}`),
  },
  {
    name: 'full GET',
    request: 'GET /Groups/{id}',
    sizeIndependent: false,
    call: (d) => d.scim.call('GET', `/Groups/${d.bigGroupId}`),
  },
  {
    name: 'users of the group',
    request: 'GET /Users?filter=groups.value eq …&count=1',
    sizeIndependent: true,
    call: (d) => d.scim.call('GET', `/Users?count=1&filter=${q(`groups.value eq "${d.bigGroupId}"`)}`),
  },
  {
    name: 'users of the group, page 2',
    request: 'GET /Users?filter=groups.value eq …&startIndex=2&count=1',
    sizeIndependent: true,
    call: (d) => d.scim.call('GET', `/Users?startIndex=2&count=1&filter=${q(`groups.value eq "${d.bigGroupId}"`)}`),
  },
];

interface ProbeResult {
  name: string;
  request: string;
  status: number;
  scimType?: string;
  detail?: string;
  totalResults?: number;
  bytes: number;
  requests: number;
  roundTrips: number;
  rcu: number;
  wcu: number;
  ms: number;
}

async function probe(d: Directory): Promise<ProbeResult[]> {
  const out: ProbeResult[] = [];
  const user = await d.scim.call('POST', '/Users', {
    body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `probe@${d.scim.tenantId}.example.com` },
  });
  if (user.status !== 201) throw new Error(`create probe user: ${user.status} ${user.text.slice(0, 200)}`);
  const userId = user.body.id as string;
  for (const p of PROBES) {
    const res = await p.call(d, userId);
    out.push({
      name: p.name,
      request: p.request,
      status: res.status,
      ...(res.body?.scimType ? { scimType: res.body.scimType as string } : {}),
      ...(res.status >= 400 && res.body?.detail ? { detail: String(res.body.detail) } : {}),
      ...(typeof res.body?.totalResults === 'number' ? { totalResults: res.body.totalResults as number } : {}),
      bytes: Buffer.byteLength(res.text),
      requests: res.cost.requests,
      roundTrips: res.cost.roundTrips,
      rcu: res.cost.rcu,
      wcu: res.cost.wcu,
      ms: res.ms,
    });
  }
  await d.scim.call('DELETE', `/Users/${userId}`);
  return out;
}

export async function runHugeGroup(report: Report, small: Directory, large: Directory): Promise<void> {
  const a = await probe(small);
  const b = await probe(large);
  const label = (n: number) => n.toLocaleString('en-US');
  const show = (r: ProbeResult) => `${r.requests} / ${r.roundTrips} / ${round(r.rcu, 1)} / ${round(r.wcu, 1)}`;
  const outcome = (r: ProbeResult) =>
    r.status < 400
      ? `${r.status}${r.totalResults !== undefined ? ` (totalResults ${label(r.totalResults)})` : ''}`
      : `${r.status} ${r.scimType ?? ''}`.trim();
  report.table('hugeGroup', {
    title: `3. A group of ${label(large.size)} members vs one of ${label(small.size)}: requests / round trips / RCU / WCU`,
    columns: [
      'operation',
      'request',
      `${label(small.size)} members`,
      `${label(large.size)} members`,
      `status at ${label(large.size)}`,
      'response KB',
      'ms',
    ],
    rows: PROBES.map((p, i) => [
      p.name,
      p.request,
      show(a[i]!),
      show(b[i]!),
      outcome(b[i]!),
      round(b[i]!.bytes / 1024, 1),
      round(b[i]!.ms, 1),
    ]),
    notes: b.filter((r) => r.detail).map((r) => `${r.name} → ${r.status} ${r.scimType ?? ''}: "${r.detail}"`),
  });
  report.data.hugeGroup = { sizes: [small.size, large.size], small: a, large: b };

  PROBES.forEach((p, i) => {
    const x = a[i]!;
    const y = b[i]!;
    if (p.sizeIndependent) {
      const same = x.requests === y.requests && x.roundTrips === y.roundTrips && x.rcu === y.rcu && x.wcu === y.wcu;
      report.target({
        section: '3 huge group',
        target: `${p.name}: cost independent of group size`,
        met: same && y.status < 400,
        detail: `${show(x)} vs ${show(y)}, status ${y.status}`,
      });
    }
  });
  for (const name of [
    'full GET',
    'displayName filter, members not excluded',
    'membership check, members not excluded',
  ]) {
    const r = b[PROBES.findIndex((p) => p.name === name)]!;
    const ok = r.status < 500 && r.bytes < LAMBDA_MAX_RESPONSE_BYTES && (r.status < 400 || !!r.scimType);
    report.target({
      section: '3 huge group',
      target: `${name} of ${label(large.size)} members: documented limit, no crash, < 6 MB`,
      met: ok,
      detail: `${r.status} ${r.scimType ?? ''} after ${r.requests} requests (${round(r.rcu, 0)} RCU), ${round(r.bytes / 1024, 1)} KB, ${round(r.ms, 0)} ms`,
    });
  }
  const usersOf = b[PROBES.findIndex((p) => p.name === 'users of the group')]!;
  report.target({
    section: '3 huge group',
    target: `users of a ${label(large.size)}-member group by filter: exact totalResults or a documented limit`,
    met: usersOf.status >= 400 ? usersOf.status < 500 && !!usersOf.scimType : usersOf.totalResults === large.size,
    detail:
      usersOf.status >= 400
        ? `${usersOf.status} ${usersOf.scimType ?? ''}`
        : `totalResults ${label(usersOf.totalResults ?? -1)} (expected ${label(large.size)}) after ${usersOf.requests} requests`,
  });
}
