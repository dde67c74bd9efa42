import SCIMMY from 'scimmy';
import { parse, filter } from 'scim2-parse-filter';
import { scimPatch } from 'scim-patch';
import { USERS, GROUPS, FILTERS, PATCHES } from '../corpus/idp-requests.ts';
SCIMMY.Resources.declare(SCIMMY.Resources.User);
SCIMMY.Resources.declare(SCIMMY.Resources.Group);
SCIMMY.Schemas.User.extend(SCIMMY.Schemas.EnterpriseUser);
for (const c of FILTERS) {
  const pool = c.resourceType === 'User' ? USERS : GROUPS;
  let a, b;
  try { a = new SCIMMY.Types.Filter(c.filter).match(pool).map((r: any) => r.id).join(','); } catch (e) { a = 'ERR ' + (e as Error).message.slice(0, 60); }
  try { const f = filter(parse(c.filter)); b = pool.filter(f).map((r: any) => r.id).join(','); } catch (e) { b = 'ERR ' + (e as Error).message.slice(0, 60); }
  console.log(c.name.padEnd(40), 'exp', c.expected.join(','), '| scimmy', a, '| s2pf', b);
}
for (const c of PATCHES) {
  const src = structuredClone([...USERS, ...GROUPS].find((r) => r.id === c.target)!);
  let a, b;
  try {
    const Schema = c.resourceType === 'User' ? SCIMMY.Schemas.User : SCIMMY.Schemas.Group;
    const inst = new Schema(structuredClone(src));
    const out = JSON.parse(JSON.stringify(await new SCIMMY.Messages.PatchOp({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: c.operations as any }).apply(inst)));
    a = c.checks.filter((k) => !k.ok(out)).map((k) => k.what).join(';') || 'ok';
  } catch (e) { a = 'ERR ' + (e as Error).message.slice(0, 80); }
  try { const out = scimPatch(structuredClone(src) as any, c.operations as any); b = c.checks.filter((k) => !k.ok(out as any)).map((k) => k.what).join(';') || 'ok'; } catch (e) { b = 'ERR ' + (e as Error).message.slice(0, 80); }
  console.log(c.name.padEnd(40), '| scimmy', a, '| scim-patch', b);
}
const { parseFilter } = await import('#scim/filter.ts');
const { compileFilter } = await import('#scim/filter-eval.ts');
const { createRegistry } = await import('#scim/schema/registry.ts');
const reg = createRegistry();
for (const c of FILTERS) {
  const pool = c.resourceType === 'User' ? USERS : GROUPS;
  let a;
  try { const f = compileFilter(parseFilter(c.filter), (p) => reg.resolve(c.resourceType, p)); a = pool.filter((r) => f(r)).map((r: any) => r.id).join(','); } catch (e) { a = 'ERR ' + (e as Error).message.slice(0, 80); }
  console.log('ours', c.name.padEnd(40), 'exp', c.expected.join(','), '|', a);
}
