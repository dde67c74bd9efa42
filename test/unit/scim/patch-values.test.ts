// The PATCH engine's fast path for values (patch-values.ts quickValue) must give exactly what the
// general normaliser (attribute-values.ts normaliseAttributeValue) gives, key order included (it decides
// whether a PATCH changed anything), or step aside (SLOW). These properties hold it to that for
// every attribute definition of the registry, on canonical-looking values and on arbitrary JSON.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normaliseAttributeValue } from '#scim/attribute-values.ts';
import { normaliseValue, quickValue, SLOW } from '#scim/patch-values.ts';
import type { AttributeDef } from '#scim/schema/types.ts';
import { registry } from './fixtures.ts';

const defs: AttributeDef[] = [];
for (const rt of ['User', 'Group'] as const) {
  for (const schema of [registry.coreSchema(rt), ...registry.extensions(rt)]) {
    for (const def of schema.attributes) {
      defs.push(def);
      for (const sub of def.subAttributes ?? []) defs.push(sub);
    }
  }
}
defs.push(...registry.commonAttributes);

const simple = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.constantFrom(null, 'True', 'false', '12', '2011-05-13T04:42:34Z', ''),
);

/** Values shaped like what `def` takes, with the odd key or type wrong. */
function shapedLike(def: AttributeDef): fc.Arbitrary<unknown> {
  if (def.type !== 'complex') return fc.oneof(simple, fc.array(simple, { maxLength: 3 }));
  const names = (def.subAttributes ?? []).map((s) => s.name);
  const key = fc.oneof(
    fc.constantFrom(...names),
    fc.constantFrom(...names).map((n) => n.toUpperCase()),
    fc.string(),
  );
  const element = fc.dictionary(key, fc.oneof(simple, fc.array(simple, { maxLength: 2 })), { maxKeys: 5 });
  return fc.oneof(element, fc.array(element, { maxLength: 3 }), simple);
}

function check(def: AttributeDef, value: unknown, single: boolean): void {
  const quick = quickValue(def, value, single);
  if (quick === SLOW) return;
  const ignored: string[] = [];
  let slow: unknown;
  expect(
    () => {
      slow = normaliseAttributeValue(single ? { ...def, multiValued: false } : def, value, def.name, { ignored });
    },
    `${def.name}: ${JSON.stringify(value)}`,
  ).not.toThrow();
  expect(JSON.stringify(quick), `${def.name}: ${JSON.stringify(value)}`).toBe(JSON.stringify(slow));
  expect(ignored).toEqual([]);
}

describe('quickValue agrees with normaliseAttributeValue', () => {
  it.each(defs.map((d) => [d.name, d] as const))('%s', (_, def) => {
    fc.assert(
      fc.property(shapedLike(def), fc.boolean(), (value, single) => check(def, value, single)),
      { numRuns: 300 },
    );
  });

  it('on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.constantFrom(...defs), fc.jsonValue({ maxDepth: 3 }), fc.boolean(), (def, value, single) =>
        check(def, value, single),
      ),
      { numRuns: 3000 },
    );
  });

  it('takes the fast path on the values IdPs send', () => {
    const emails = registry.resolve('User', { attribute: 'emails' })!.attribute;
    const value = [
      { value: 'a@x.com', type: 'work', primary: true },
      { value: 'b@x.com', type: 'home', primary: true },
    ];
    expect(quickValue(emails, value, false)).toEqual([
      { value: 'a@x.com', type: 'work', primary: false },
      { value: 'b@x.com', type: 'home', primary: true },
    ]);
    expect(value[0]!.primary, 'the client value is never modified').toBe(true);
    expect(quickValue(emails, { value: 'a@x.com' }, false), 'an object for an array is a quirk').toBe(SLOW);
  });

  it('returns new containers, never the client value', () => {
    const tags = registry.resolve('User', {
      uri: 'urn:ietf:params:scim:schemas:extension:test:2.0:User',
      attribute: 'tags',
    })!;
    const value = ['a', 'b'];
    const out = normaliseValue(tags.attribute, value, 'tags', []);
    expect(out).toEqual(value);
    expect(out).not.toBe(value);
  });
});
