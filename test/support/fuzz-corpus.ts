// A seeded, reproducible corpus of hostile requests over every route and method of the route table
// (shared/api/routes.ts), and the runner that fires it at a local runner (or any base URL) and
// tallies what came back. Used by test/integration/fuzz.test.ts (`npm test`) and by
// `npm run fuzz -- --requests N --seed S` (scripts/fuzz.ts) for longer campaigns.
//
// Request `i` of seed `s` depends on (s, i) only, so a failing request is replayed on its own with
// `npm run fuzz -- --seed s --index i`. The server's state depends on what ran before it, so a
// replay may answer differently; the request itself is always the same.
import http from 'node:http';
import { ROUTES, type Route } from '#api/routes.ts';

// ---- a small seeded PRNG (mulberry32) ------------------------------------------------------------

export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** Request `index` of campaign `seed`: independent of every other request. */
  static forRequest(seed: number, index: number): Rng {
    let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0;
    h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
    return new Rng(h ^ (h >>> 15));
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  ascii(maxLength: number): string {
    const n = this.int(maxLength + 1);
    let s = '';
    for (let i = 0; i < n; i += 1) s += String.fromCharCode(0x20 + this.int(95));
    return s;
  }
  unicode(maxLength: number): string {
    const n = this.int(maxLength + 1);
    let s = '';
    for (let i = 0; i < n; i += 1) {
      const kind = this.int(6);
      if (kind === 0) s += String.fromCharCode(this.int(0x20));
      else if (kind === 1) s += String.fromCodePoint(0x1f600 + this.int(80));
      else if (kind === 2)
        s += String.fromCharCode(0xd800 + this.int(0x800)); // lone surrogates
      else if (kind === 3) s += String.fromCharCode(0x80 + this.int(0x780));
      else s += String.fromCharCode(0x20 + this.int(95));
    }
    return s;
  }
}

// ---- what the corpus targets ---------------------------------------------------------------------

export interface FuzzTarget {
  /** `http://127.0.0.1:port`: the API root (SCIM under /scim/v2, admin under /admin). */
  url: string;
  adminKey: string;
  /** Tenant A: full and read-only tokens; tenant B: a full token (cross-tenant calls). */
  tokens: { full: string; read: string; other: string };
  /** Tenant A's own users and groups, and tenant B's (never reachable with A's tokens). */
  ids: { users: string[]; groups: string[]; otherUsers: string[]; otherGroups: string[] };
  /** Admin routes only ever change these tenants, so the fuzz never revokes its own tokens. */
  scratchTenants: string[];
}

export interface FuzzRequest {
  index: number;
  method: string;
  /** Raw request target as sent (path and query, already encoded). */
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** The route the request was generated for, e.g. `GET /scim/v2/Users/{id}`, or `hostile path`. */
  route: string;
}

const SCIM = '/scim/v2';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const ULID_CHARS = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Percent-encodes anything, lone surrogates included (encodeURIComponent throws on those). */
export function encode(text: string): string {
  return Buffer.from(text, 'utf8')
    .toString('latin1')
    .replace(/[^A-Za-z0-9\-_.~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

function ulid(rng: Rng): string {
  let s = '';
  for (let i = 0; i < 26; i += 1) s += ULID_CHARS[rng.int(i === 0 ? 8 : 32)];
  return s;
}

/** Strings that have broken servers: long keys, multi-byte text, separators our keys use, escapes. */
function hostileString(rng: Rng): string {
  switch (rng.int(16)) {
    case 0:
      return '';
    case 1:
      return 'x'.repeat(rng.pick([1025, 1100, 2049, 2100, 3000]));
    case 2:
      return 'é'.repeat(rng.pick([513, 600, 1100])); // 2 bytes each
    case 3:
      return 'İ'.repeat(rng.pick([500, 700])); // lower-cases to 3 bytes
    case 4:
      return '😀'.repeat(rng.pick([100, 300]));
    case 5:
      return rng.pick(['T#default#USER', '#', 'TOKEN#', 'UNIQUE', 'PAGE', '%', '%zz', '\\', '"', "'"]);
    case 6:
      return rng.unicode(40);
    case 7:
      return rng.pick(['null', 'undefined', 'NaN', 'true', '0', '-1', '1e300', '__proto__', 'constructor']);
    case 8:
      return `${rng.ascii(8)}@example.com`;
    default:
      return rng.ascii(24);
  }
}

function hostileNumber(rng: Rng): number {
  return rng.pick([0, -1, 1, 1.5, 2147483647, 2147483648, 4294967296, 1e15, 1e300, -1e300, Number.MAX_SAFE_INTEGER]);
}

function scalar(rng: Rng): unknown {
  switch (rng.int(6)) {
    case 0:
      return hostileString(rng);
    case 1:
      return hostileNumber(rng);
    case 2:
      return rng.chance(0.5);
    case 3:
      return null;
    case 4:
      return rng.pick(['True', 'False', 'TRUE', 'false ', 'yes']);
    default:
      return rng.ascii(10);
  }
}

function jsonValue(rng: Rng, depth = 0): unknown {
  const k = rng.int(depth > 2 ? 2 : 5);
  if (k < 2) return scalar(rng);
  if (k === 2) return Array.from({ length: rng.int(4) }, () => jsonValue(rng, depth + 1));
  const out: Record<string, unknown> = {};
  for (let i = rng.int(4); i > 0; i -= 1) {
    out[rng.pick(['value', 'type', 'primary', 'display', '$ref', 'givenName', rng.ascii(6)])] = jsonValue(
      rng,
      depth + 1,
    );
  }
  return out;
}

// ---- ids, paths, filters, paging -----------------------------------------------------------------

function anyId(rng: Rng, target: FuzzTarget, type: 'Users' | 'Groups' | 'any'): string {
  const own = type === 'Groups' ? target.ids.groups : type === 'Users' ? target.ids.users : target.ids.users;
  const other = type === 'Groups' ? target.ids.otherGroups : target.ids.otherUsers;
  switch (rng.int(12)) {
    case 0:
    case 1:
    case 2:
    case 3:
      return rng.pick(own.length ? own : ['none']);
    case 4:
      return rng.pick(other.length ? other : ['none']);
    case 5:
      return rng.pick(target.ids.groups.length ? target.ids.groups : ['none']);
    case 6:
      return ulid(rng);
    case 7:
      return ulid(rng).toLowerCase();
    default:
      return hostileString(rng) || 'x';
  }
}

/** A path segment as sent on the wire: mostly encoded, sometimes a raw hostile escape. */
function segment(rng: Rng, value: string): string {
  if (rng.chance(0.1))
    return rng.pick(['%', '%G1', '%E0%A4%A', '%%', '%C0%AF', '%ED%A0%80', 'a%2Fb', '%00', '.', '..']);
  return encode(value);
}

const ATTRIBUTES = [
  'userName',
  'id',
  'externalId',
  'displayName',
  'members',
  'members.value',
  'members.type',
  'groups',
  'groups.value',
  'emails',
  'emails.value',
  'emails[type eq "work"].value',
  'name.givenName',
  'name',
  'active',
  'title',
  'meta.lastModified',
  'meta.created',
  `${ENTERPRISE}:employeeNumber`,
  `${ENTERPRISE}:manager.value`,
  'manager',
  'nope',
  'x.y.z',
];
const OPERATORS = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr', 'EQ', 'Eq', 'xx'];

function literal(rng: Rng, target: FuzzTarget): string {
  switch (rng.int(7)) {
    case 0:
      return JSON.stringify(anyId(rng, target, 'any'));
    case 1:
      return String(hostileNumber(rng));
    case 2:
      return rng.pick(['true', 'false', 'null', '"2020-01-01T00:00:00Z"', '(', '"', '"unterminated']);
    default:
      return JSON.stringify(hostileString(rng));
  }
}

function term(rng: Rng, target: FuzzTarget): string {
  const attribute = rng.pick(ATTRIBUTES);
  const op = rng.pick(OPERATORS);
  if (op === 'pr') return `${attribute} pr`;
  if (rng.chance(0.1)) return `members[value eq ${literal(rng, target)}]`;
  return `${attribute} ${op} ${literal(rng, target)}`;
}

function filter(rng: Rng, target: FuzzTarget): string {
  switch (rng.int(10)) {
    case 0:
      return hostileString(rng);
    case 1: {
      // Work amplification: many `members eq` terms evaluated against every group.
      const n = rng.pick([10, 50, 100, 200, 300]);
      const values = Array.from({ length: n }, (_, i) =>
        rng.chance(0.5) ? `"${i}"` : JSON.stringify(anyId(rng, target, 'any')),
      );
      return `displayName pr or ${values.map((v) => `members eq ${v}`).join(' or ')}`;
    }
    case 2: {
      const n = rng.pick([2, 20, 200]);
      return Array.from({ length: n }, () => `members eq ${JSON.stringify(anyId(rng, target, 'any'))}`).join(' or ');
    }
    case 3:
      return `${'('.repeat(rng.pick([5, 40, 200]))}userName eq "x"${')'.repeat(rng.pick([5, 40, 200]))}`;
    case 4:
      return `not (${term(rng, target)}) and ${term(rng, target)}`;
    default: {
      let text = term(rng, target);
      for (let i = rng.int(4); i > 0; i -= 1) text += ` ${rng.pick(['and', 'or', 'AND', 'Or'])} ${term(rng, target)}`;
      return text;
    }
  }
}

function paging(rng: Rng): string {
  return rng.pick([
    '2147483648',
    '1e15',
    '1e300',
    '-1',
    '0',
    '1',
    '2',
    '10',
    '200',
    '201',
    '10001',
    'NaN',
    'abc',
    '1.5',
    '',
    '999999999999999999999',
    '-1e300',
    ' 3 ',
  ]);
}

function query(rng: Rng, target: FuzzTarget): string {
  const parts: string[] = [];
  if (rng.chance(0.6)) parts.push(`filter=${encode(filter(rng, target))}`);
  if (rng.chance(0.3)) parts.push(`startIndex=${encode(paging(rng))}`);
  if (rng.chance(0.3)) parts.push(`count=${encode(paging(rng))}`);
  if (rng.chance(0.2)) parts.push(`sortBy=${encode(rng.chance(0.7) ? rng.pick(ATTRIBUTES) : hostileString(rng))}`);
  if (rng.chance(0.1)) parts.push(`sortOrder=${encode(rng.pick(['ascending', 'descending', 'DESC', 'x']))}`);
  if (rng.chance(0.2)) parts.push(`attributes=${encode(rng.pick([...ATTRIBUTES, hostileString(rng)]))}`);
  if (rng.chance(0.15)) parts.push(`excludedAttributes=${encode(rng.pick(['members', 'groups', 'emails', '']))}`);
  if (rng.chance(0.1)) parts.push(`cursor=${encode(rng.pick(['', 'abc', '!!!', 'eyJ4IjoxfQ', hostileString(rng)]))}`);
  if (rng.chance(0.05)) parts.push(rng.pick(['%', 'filter=%zz', '=', '&&', 'a=%E0%A4%A', 'aadOptscim062020']));
  return parts.length ? `?${parts.join('&')}` : '';
}

// ---- bodies -------------------------------------------------------------------------------------

function userBody(rng: Rng, target: FuzzTarget): unknown {
  const body: Record<string, unknown> = {};
  if (rng.chance(0.8)) body.schemas = rng.chance(0.9) ? [USER_SCHEMA] : jsonValue(rng);
  if (rng.chance(0.9))
    body.userName = rng.chance(0.5)
      ? `fz-${rng.ascii(12)}-${rng.int(1e9)}`
      : rng.chance(0.7)
        ? hostileString(rng)
        : scalar(rng);
  if (rng.chance(0.3))
    body.name = rng.chance(0.7) ? { givenName: scalar(rng), familyName: scalar(rng) } : jsonValue(rng);
  if (rng.chance(0.4)) {
    body.emails = rng.pick([
      () => [{ value: `${rng.ascii(6)}@example.com`, type: 'work', primary: rng.pick([true, 'True', 'x']) }],
      () => 'not-an-array',
      () => ({ value: 'one@example.com' }),
      () => jsonValue(rng),
      () => Array.from({ length: rng.pick([100, 5000, 40000]) }, (_, i) => ({ value: `${i}@x.io` })),
    ])();
  }
  if (rng.chance(0.3)) body.active = rng.pick([true, false, 'False', 'TRUE', 'nope', 0, 1, null]);
  if (rng.chance(0.2)) body.title = rng.chance(0.1) ? 't'.repeat(rng.pick([120_000, 450_000])) : scalar(rng);
  if (rng.chance(0.25)) body.externalId = rng.chance(0.5) ? hostileString(rng) : scalar(rng);
  if (rng.chance(0.15)) body.displayName = scalar(rng);
  if (rng.chance(0.1)) body.phoneNumbers = jsonValue(rng);
  if (rng.chance(0.1)) body.password = scalar(rng);
  if (rng.chance(0.1)) body.groups = [{ value: anyId(rng, target, 'Groups') }];
  if (rng.chance(0.1)) body.meta = jsonValue(rng);
  if (rng.chance(0.15))
    body[ENTERPRISE] = rng.chance(0.6)
      ? {
          employeeNumber: scalar(rng),
          manager: rng.pick([anyId(rng, target, 'Users'), { value: scalar(rng) }, [scalar(rng)]]),
        }
      : jsonValue(rng);
  if (rng.chance(0.05)) body[rng.ascii(10)] = jsonValue(rng);
  return body;
}

function membersValue(rng: Rng, target: FuzzTarget, selfId?: string): unknown {
  switch (rng.int(8)) {
    case 0:
      return jsonValue(rng);
    case 1:
      return Array.from({ length: rng.pick([150, 1000, 5000]) }, () => ({ value: anyId(rng, target, 'any') }));
    case 2:
      return selfId ? [{ value: selfId, type: 'Group' }] : [];
    case 3:
      return 'not-an-array';
    default:
      return Array.from({ length: rng.int(5) }, () =>
        rng.chance(0.8)
          ? {
              value: rng.chance(0.9) ? anyId(rng, target, rng.chance(0.7) ? 'Users' : 'Groups') : scalar(rng),
              ...(rng.chance(0.4) ? { type: rng.pick(['User', 'Group', 'group', 'Robot', 1]) } : {}),
              ...(rng.chance(0.2) ? { display: rng.chance(0.8) ? rng.ascii(12) : hostileString(rng) } : {}),
            }
          : scalar(rng),
      );
  }
}

function groupBody(rng: Rng, target: FuzzTarget, selfId?: string): unknown {
  const body: Record<string, unknown> = {};
  if (rng.chance(0.8)) body.schemas = rng.chance(0.9) ? [GROUP_SCHEMA] : jsonValue(rng);
  if (rng.chance(0.9))
    body.displayName = rng.chance(0.5)
      ? `fz-group-${rng.int(1e9)}`
      : rng.chance(0.7)
        ? hostileString(rng)
        : scalar(rng);
  if (rng.chance(0.5)) body.members = membersValue(rng, target, selfId);
  if (rng.chance(0.2)) body.externalId = rng.chance(0.5) ? hostileString(rng) : scalar(rng);
  if (rng.chance(0.05)) body.id = anyId(rng, target, 'Groups');
  return body;
}

function patchPath(rng: Rng, target: FuzzTarget): unknown {
  switch (rng.int(10)) {
    case 0:
      return undefined;
    case 1:
      return scalar(rng);
    case 2:
      return `members[value eq ${literal(rng, target)}]`;
    case 3:
      return `emails[type eq ${literal(rng, target)}].value`;
    default:
      return rng.pick([...ATTRIBUTES, 'members', 'members', 'displayName', 'userName', 'active', '', ' ']);
  }
}

function operation(rng: Rng, target: FuzzTarget, selfId?: string, light = false): unknown {
  if (rng.chance(0.05)) return rng.pick([null, 1, 'add', [], true]);
  if (light) return { op: rng.pick(['add', 'replace', 'remove']), path: patchPath(rng, target), value: scalar(rng) };
  const op: Record<string, unknown> = {
    op: rng.chance(0.9) ? rng.pick(['add', 'Add', 'replace', 'Replace', 'remove', 'Remove', 'REMOVE']) : scalar(rng),
  };
  const path = patchPath(rng, target);
  if (path !== undefined) op.path = path;
  if (rng.chance(0.85)) {
    const p = typeof path === 'string' ? path.toLowerCase() : '';
    op.value = p.startsWith('members')
      ? membersValue(rng, target, selfId)
      : path === undefined && rng.chance(0.5)
        ? { displayName: scalar(rng), members: membersValue(rng, target, selfId), active: scalar(rng) }
        : rng.chance(0.5)
          ? scalar(rng)
          : jsonValue(rng);
  }
  return op;
}

function patchBody(rng: Rng, target: FuzzTarget, selfId?: string): unknown {
  switch (rng.int(12)) {
    case 0:
      return { Operations: [null] };
    case 1:
      return { Operations: rng.pick([null, {}, 'x', [], 1]) };
    case 2:
      return { schemas: [PATCH_OP], operations: [operation(rng, target, selfId)] };
    case 3:
      return {
        schemas: [PATCH_OP],
        // Many small operations (the limit is 1,000): the count is what is under test, not the size.
        Operations: Array.from({ length: rng.pick([200, 1001]) }, () => operation(rng, target, selfId, true)),
      };
    default:
      return {
        schemas: [PATCH_OP],
        Operations: Array.from({ length: 1 + rng.int(4) }, () => operation(rng, target, selfId)),
      };
  }
}

function searchBody(rng: Rng, target: FuzzTarget): unknown {
  const body: Record<string, unknown> = {};
  if (rng.chance(0.7)) body.schemas = ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'];
  if (rng.chance(0.6)) body.filter = rng.chance(0.9) ? filter(rng, target) : scalar(rng);
  if (rng.chance(0.4)) body.startIndex = rng.chance(0.7) ? hostileNumber(rng) : paging(rng);
  if (rng.chance(0.4)) body.count = rng.chance(0.7) ? hostileNumber(rng) : paging(rng);
  if (rng.chance(0.2)) body.sortBy = rng.chance(0.7) ? rng.pick(ATTRIBUTES) : scalar(rng);
  if (rng.chance(0.1)) body.sortOrder = scalar(rng);
  if (rng.chance(0.2)) body.attributes = rng.chance(0.5) ? [rng.pick(ATTRIBUTES)] : scalar(rng);
  if (rng.chance(0.1)) body.excludedAttributes = scalar(rng);
  if (rng.chance(0.1)) body.cursor = scalar(rng);
  return body;
}

function adminBody(rng: Rng, route: Route): unknown {
  if (route.path.endsWith('/tokens'))
    return {
      ...(rng.chance(0.8) ? { name: rng.chance(0.7) ? `fz-${rng.int(1e6)}` : scalar(rng) } : {}),
      ...(rng.chance(0.3) ? { scope: rng.pick(['full', 'read', 'admin', 1]) } : {}),
      ...(rng.chance(0.3) ? { expiresInDays: rng.chance(0.5) ? hostileNumber(rng) : scalar(rng) } : {}),
    };
  if (route.path.endsWith('/provisioning')) return { enabled: rng.chance(0.8) ? rng.chance(0.5) : scalar(rng) };
  return rng.chance(0.7) ? { displayName: rng.chance(0.5) ? `Fuzz ${rng.int(100)}` : scalar(rng) } : jsonValue(rng);
}

/** Bodies no JSON parser should choke on (and one it should refuse politely). */
function rawBody(rng: Rng): string {
  return rng.pick([
    () => '',
    () => 'null',
    () => '"text"',
    () => '12',
    () => '[]',
    () => '{',
    () => '{"userName":',
    () => rng.unicode(200),
    () => `${'['.repeat(50)}${']'.repeat(50)}`,
    () => `{"a":${'{"a":'.repeat(40)}1${'}'.repeat(41)}`,
    () => '{"__proto__":{"admin":true},"userName":"proto"}',
    () => `{"userName":"${'y'.repeat(1_100_000)}"}`,
  ])();
}

// ---- one request ---------------------------------------------------------------------------------

const SCIM_ROUTES = ROUTES.filter((r) => r.auth === 'scim');
const ADMIN_ROUTES = ROUTES.filter((r) => r.auth === 'admin');

function hostilePath(rng: Rng): string {
  return rng.pick([
    `${SCIM}/Users/%`,
    `${SCIM}/Users/%E0%A4%A`,
    `${SCIM}/Groups/%ZZ`,
    `${SCIM}/%`,
    `${SCIM}/Users%`,
    `${SCIM}//Users`,
    `${SCIM}/Users/`,
    `${SCIM}/users`,
    `${SCIM}/Me`,
    `${SCIM}/Bulk`,
    `${SCIM}/Users/a/b`,
    `${SCIM}/Users/..%2F..%2Fadmin`,
    `${SCIM}/Users/${'a'.repeat(10_000)}`,
    `${SCIM}/Schemas/${encode(rng.unicode(20))}`,
    `${SCIM}/ResourceTypes/%00`,
    '/',
    '/admin',
    '/admin/tenants/%',
    '/scim',
    '*',
    `//evil.example${SCIM}/Users`,
    `http://evil.example${SCIM}/Users`,
  ]);
}

function authorization(rng: Rng, target: FuzzTarget, route: Route | undefined): string | undefined {
  if (route?.auth === 'admin') {
    return rng.chance(0.85)
      ? `Bearer ${target.adminKey}`
      : rng.pick([undefined, 'Bearer nope', `Basic ${target.adminKey}`]);
  }
  switch (rng.int(20)) {
    case 0:
      return undefined;
    case 1:
      return rng.pick(['Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'bearer  x', `Bearer ${'z'.repeat(5000)}`]);
    case 2:
      return `Bearer scim_${rng.ascii(40).replace(/[^\x21-\x7e]/g, 'a')}`;
    case 3:
    case 4:
      return `Bearer ${target.tokens.read}`;
    case 5:
    case 6:
      return `Bearer ${target.tokens.other}`;
    default:
      return `Bearer ${target.tokens.full}`;
  }
}

/** Header values must be latin-1 without control characters, or Node refuses to send them. */
const headerSafe = (s: string) => s.replace(/[^\t\x20-\x7e]/g, '?').slice(0, 8000);

export function generateRequest(seed: number, index: number, target: FuzzTarget): FuzzRequest {
  const rng = Rng.forRequest(seed, index);
  const headers: Record<string, string> = {};
  let method: string;
  let path: string;
  let route: Route | undefined;
  let routeName: string;

  if (rng.chance(0.06)) {
    method = rng.pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
    path = hostilePath(rng);
    routeName = 'hostile path';
  } else {
    route = rng.chance(0.12) ? rng.pick(ADMIN_ROUTES) : rng.pick(SCIM_ROUTES);
    method = rng.chance(0.05) ? rng.pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) : route.method;
    routeName = `${route.method} ${route.path}`;
    const resource = route.path.includes('/Groups') ? 'Groups' : 'Users';
    path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
      if (name === 'tenantId') {
        return rng.chance(0.85) ? rng.pick(target.scratchTenants) : segment(rng, hostileString(rng) || 'x');
      }
      if (name === 'tokenId') return segment(rng, rng.chance(0.5) ? ulid(rng) : hostileString(rng) || 'x');
      if (route!.path.includes('/Schemas/') || route!.path.includes('/ResourceTypes/')) {
        return segment(rng, rng.pick(['User', 'Group', USER_SCHEMA, ENTERPRISE, hostileString(rng) || 'x']));
      }
      return segment(rng, anyId(rng, target, resource));
    });
    if (route.method === 'GET' && !route.path.includes('{') && route.auth === 'scim') path += query(rng, target);
    else if (rng.chance(0.15)) path += rng.pick(['?attributes=id', '?excludedAttributes=members', '?', '?%', '?&&']);
  }

  const auth = authorization(rng, target, route);
  if (auth !== undefined) headers.Authorization = auth;
  if (rng.chance(0.15))
    headers['If-Match'] = headerSafe(
      rng.pick(['*', 'W/"1"', '"1"', 'W/"2"', 'W/"x"', 'W/"1e300"', hostileString(rng)]),
    );
  if (rng.chance(0.1)) headers['If-None-Match'] = headerSafe(rng.pick(['*', 'W/"1"', hostileString(rng)]));
  if (rng.chance(0.1)) headers.Accept = rng.pick(['application/json', 'text/html', '*/*', 'application/scim+json;q=0']);
  if (rng.chance(0.05)) headers.Host = rng.pick(['evil.example', 'a'.repeat(300), 'localhost:1']);
  if (rng.chance(0.03)) headers['X-Forwarded-Host'] = 'evil.example';

  let body: string | undefined;
  if (method === 'POST' || method === 'PUT' || method === 'PATCH' || rng.chance(0.02)) {
    if (rng.chance(0.07)) body = rawBody(rng);
    else {
      const selfId = path.match(/\/Groups\/([0-9A-Z]{26})$/)?.[1];
      let value: unknown;
      if (route?.auth === 'admin') value = adminBody(rng, route);
      else if (path.includes('.search')) value = searchBody(rng, target);
      else if (method === 'PATCH') value = patchBody(rng, target, selfId);
      else if (path.includes('/Groups')) value = groupBody(rng, target, selfId);
      else value = userBody(rng, target);
      body = JSON.stringify(value);
    }
    headers['Content-Type'] = rng.chance(0.9)
      ? rng.pick(['application/scim+json', 'application/json', 'application/scim+json; charset=utf-8'])
      : rng.pick(['text/plain', 'application/xml', 'multipart/form-data', '']);
    if (!headers['Content-Type']) delete headers['Content-Type'];
  }
  return { index, method, path, headers, ...(body !== undefined ? { body } : {}), route: routeName };
}

// ---- running a campaign --------------------------------------------------------------------------

export interface FuzzResult {
  request: FuzzRequest;
  status: number;
  /** Client-side wall time, including DynamoDB Local. */
  ms: number;
  /** The route function's own time (`Server-Timing` from the local runner), 0 when not reported. */
  serverMs: number;
  /** DynamoDB requests the server made (from `x-dynamodb-cost`, when the runner exposes it). */
  dynamodbRequests: number;
  text: string;
}

export interface FuzzSummary {
  seed: number;
  requests: number;
  seconds: number;
  histogram: Record<string, number>;
  byRoute: Record<string, Record<string, number>>;
  serverErrors: FuzzResult[];
  slowest: FuzzResult[];
  slowestOnServer: FuzzResult[];
  mostDynamoDb: FuzzResult[];
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** A 5xx that is a failure: all but /Me's 501, which RFC 7644 §3.11 asks for. */
export function isServerError(request: FuzzRequest, status: number): boolean {
  if (status === 501 && /^\/scim\/v2\/Me(\?|$)/.test(request.path)) return false;
  return status >= 500;
}

export function send(
  url: string,
  request: FuzzRequest,
  timeoutMs = 30_000,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve) => {
    const target = new URL(url);
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: request.method,
        path: request.path,
        headers: request.headers,
        agent,
        // x-dynamodb-cost lists every DynamoDB call: far over Node's default 16 KB for a costly request.
        maxHeaderSize: 64 * 1024 * 1024,
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', (e) => resolve({ status: 599, headers: {}, text: `response error: ${e.message}` }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    // A connection the server dropped counts as a server error (599), never as a pass.
    req.on('error', (e) => resolve({ status: 599, headers: {}, text: `request error: ${e.message}` }));
    req.end(request.body);
  });
}

export function describeRequest(r: FuzzRequest, max = 300): string {
  const clip = (s: string) => (s.length > max ? `${s.slice(0, max)}… (${s.length} chars)` : s);
  const headers = Object.entries(r.headers)
    .filter(([k]) => k !== 'Authorization')
    .map(([k, v]) => `${k}: ${clip(v)}`)
    .join('; ');
  return `#${r.index} ${r.method} ${clip(r.path)}${headers ? ` [${headers}]` : ''}${r.body !== undefined ? ` body ${clip(r.body)}` : ''}`;
}

export async function runFuzz(options: {
  target: FuzzTarget;
  seed: number;
  requests: number;
  concurrency?: number;
  /** Start at this index (replaying one request: `first: i, requests: 1`). */
  first?: number;
  onProgress?: (done: number) => void;
}): Promise<FuzzSummary> {
  const { target, seed, requests } = options;
  const first = options.first ?? 0;
  const started = Date.now();
  const histogram: Record<string, number> = {};
  const byRoute: Record<string, Record<string, number>> = {};
  const serverErrors: FuzzResult[] = [];
  const all: FuzzResult[] = [];
  let next = first;
  let done = 0;
  const worker = async () => {
    while (next < first + requests) {
      const request = generateRequest(seed, next, target);
      next += 1;
      const t0 = performance.now();
      const res = await send(target.url, request);
      const ms = performance.now() - t0;
      let dynamodbRequests = 0;
      const cost = res.headers['x-dynamodb-cost'];
      if (typeof cost === 'string') dynamodbRequests = (JSON.parse(cost) as { requests: number }).requests;
      const timing = /dur=([\d.]+)/.exec(String(res.headers['server-timing'] ?? ''));
      const serverMs = timing ? Number(timing[1]) : 0;
      const result: FuzzResult = {
        request,
        status: res.status,
        ms,
        serverMs,
        dynamodbRequests,
        text: res.text.slice(0, 500),
      };
      const key = String(res.status);
      histogram[key] = (histogram[key] ?? 0) + 1;
      const perRoute = (byRoute[request.route] ??= {});
      perRoute[key] = (perRoute[key] ?? 0) + 1;
      if (isServerError(request, res.status)) serverErrors.push(result);
      // Keep what the summary needs, not every body.
      all.push({ ...result, text: '' });
      done += 1;
      options.onProgress?.(done);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
  const top = (by: (r: FuzzResult) => number) => [...all].sort((a, b) => by(b) - by(a)).slice(0, 10);
  return {
    seed,
    requests,
    seconds: (Date.now() - started) / 1000,
    histogram,
    byRoute,
    serverErrors,
    slowest: top((r) => r.ms),
    slowestOnServer: top((r) => r.serverMs),
    mostDynamoDb: top((r) => r.dynamodbRequests),
  };
}

export function formatSummary(s: FuzzSummary): string {
  const lines = [
    `fuzz: seed ${s.seed}, ${s.requests} requests in ${s.seconds.toFixed(1)} s (${(s.requests / s.seconds).toFixed(0)} req/s)`,
    `status histogram: ${Object.entries(s.histogram)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([status, n]) => `${status} × ${n}`)
      .join(', ')}`,
    `5xx: ${s.serverErrors.length}`,
  ];
  for (const r of s.serverErrors.slice(0, 20)) {
    lines.push(`  ${r.status} ${describeRequest(r.request)}`, `      <<< ${r.text.replace(/\s+/g, ' ').slice(0, 300)}`);
  }
  lines.push('slowest requests (route function time, as a Lambda would bill it):');
  for (const r of s.slowestOnServer.slice(0, 5))
    lines.push(`  ${r.serverMs.toFixed(0).padStart(6)} ms  ${r.status}  ${describeRequest(r.request, 120)}`);
  lines.push("slowest requests (client wall time: the authorizer, queueing and the machine's load included):");
  for (const r of s.slowest.slice(0, 5))
    lines.push(`  ${r.ms.toFixed(0).padStart(6)} ms  ${r.status}  ${describeRequest(r.request, 120)}`);
  lines.push('most DynamoDB requests:');
  for (const r of s.mostDynamoDb.slice(0, 5))
    lines.push(`  ${String(r.dynamodbRequests).padStart(6)} calls  ${r.status}  ${describeRequest(r.request, 120)}`);
  return lines.join('\n');
}

// ---- setting up a target -------------------------------------------------------------------------

async function json(
  url: string,
  method: string,
  path: string,
  authorization: string,
  body?: unknown,
): Promise<Record<string, any>> {
  const res = await send(url, {
    index: -1,
    method,
    path,
    route: 'setup',
    headers: { Authorization: authorization, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (res.status >= 300) throw new Error(`fuzz setup: ${method} ${path}: ${res.status} ${res.text.slice(0, 300)}`);
  return res.text ? JSON.parse(res.text) : {};
}

/**
 * Creates tenants A and B with tokens (A: full and read-only), a few users and groups in each,
 * and `groups` more groups in A so that per-group filter work shows (100 by default, as in the
 * work-amplification finding of issue 11).
 */
export async function setupFuzzTarget(
  url: string,
  adminKey: string,
  options: { prefix?: string; groups?: number } = {},
): Promise<FuzzTarget> {
  const prefix = options.prefix ?? 'fuzz';
  const admin = `Bearer ${adminKey}`;
  const tokenFor = async (tenant: string, scope: 'full' | 'read') => {
    await json(url, 'PUT', `/admin/tenants/${tenant}`, admin, {});
    return (await json(url, 'POST', `/admin/tenants/${tenant}/tokens`, admin, { name: `fuzz-${scope}`, scope }))
      .token as string;
  };
  const a = `${prefix}-a`;
  const b = `${prefix}-b`;
  const tokens = { full: await tokenFor(a, 'full'), read: await tokenFor(a, 'read'), other: await tokenFor(b, 'full') };
  const ids: FuzzTarget['ids'] = { users: [], groups: [], otherUsers: [], otherGroups: [] };
  for (const [token, users, groups] of [
    [tokens.full, ids.users, ids.groups],
    [tokens.other, ids.otherUsers, ids.otherGroups],
  ] as const) {
    const auth = `Bearer ${token}`;
    for (let i = 0; i < 4; i += 1) {
      const user = await json(url, 'POST', `${SCIM}/Users`, auth, {
        schemas: [USER_SCHEMA],
        userName: `fixture-${i}@example.com`,
        externalId: `ext-${i}`,
        emails: [{ value: `fixture-${i}@example.com`, type: 'work', primary: true }],
      });
      users.push(user.id as string);
    }
    const group = await json(url, 'POST', `${SCIM}/Groups`, auth, {
      schemas: [GROUP_SCHEMA],
      displayName: 'fixture-group',
      members: users.map((value) => ({ value })),
    });
    groups.push(group.id as string);
  }
  const auth = `Bearer ${tokens.full}`;
  const more = options.groups ?? 100;
  for (let i = 0; i < more; i += 8) {
    await Promise.all(
      Array.from({ length: Math.min(8, more - i) }, (_, j) =>
        json(url, 'POST', `${SCIM}/Groups`, auth, {
          schemas: [GROUP_SCHEMA],
          displayName: `bulk-group-${i + j}`,
          members: [{ value: ids.users[(i + j) % ids.users.length] }],
        }).then((g) => ids.groups.push(g.id as string)),
      ),
    );
  }
  return { url, adminKey, tokens, ids, scratchTenants: [`${prefix}-s1`, `${prefix}-s2`, `${prefix}-s3`] };
}
