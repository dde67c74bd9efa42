import { parseFilter } from '#scim/filter.ts';
import { compileFilter } from '#scim/filter-eval.ts';
import { applyPatch } from '#scim/patch.ts';
import { createRegistry } from '#scim/schema/registry.ts';
import { FILTERS, GROUPS, PATCHES, USERS, corpusResource } from './bench/corpus/idp-requests.ts';
const registry = createRegistry();
let bad = 0;
for (const c of FILTERS) {
  try {
    const test = compileFilter(parseFilter(c.filter), (p) => registry.resolve(c.resourceType, p));
    const got = (c.resourceType === 'User' ? USERS : GROUPS).filter((r) => test(r)).map((r) => r.id);
    if (JSON.stringify(got) !== JSON.stringify(c.expected)) { bad++; console.log('WRONG filter', c.name, c.filter, got, c.expected); }
  } catch (e: any) { bad++; console.log('REJECT filter', c.name, c.filter, e.detail ?? e); }
}
for (const c of PATCHES) {
  try {
    const out = applyPatch(structuredClone(corpusResource(c.target)), c.operations, { registry, resourceType: c.resourceType }).resource;
    const failed = c.checks.filter((k: any) => !k.ok(out)).map((k: any) => k.what);
    if (failed.length) { bad++; console.log('WRONG patch', c.name, JSON.stringify(c.operations), failed, JSON.stringify(out)); }
  } catch (e: any) { bad++; console.log('REJECT patch', c.name, JSON.stringify(c.operations), e.detail ?? e); }
}
console.log('filters', FILTERS.length, 'patches', PATCHES.length, 'bad', bad);
// micro timing
const t0 = performance.now(); let n = 0;
for (let i = 0; i < 2000; i++) for (const c of FILTERS) { try { const t = compileFilter(parseFilter(c.filter), (p) => registry.resolve(c.resourceType, p)); (c.resourceType === 'User' ? USERS : GROUPS).filter((r) => t(r)); n++; } catch {} }
console.log('filter ops/s', Math.round(n / ((performance.now() - t0) / 1000)));
const t1 = performance.now(); n = 0;
for (let i = 0; i < 2000; i++) for (const c of PATCHES) { try { applyPatch(corpusResource(c.target), c.operations, { registry, resourceType: c.resourceType }); n++; } catch {} }
console.log('patch ops/s', Math.round(n / ((performance.now() - t1) / 1000)));
