// docs/events.md is the contract the application reads: its JSON Schema is the one generated from
// shared/events/schema.ts, every event type has a section with an example, and every example is a
// valid envelope of its type.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES, EVENT_SOURCE } from '#events/envelope.ts';
import { envelopeJsonSchema, eventEnvelope } from '#events/schema.ts';
import { PACKAGE_ROOT } from '#infra/scim-api.ts';

const doc = readFileSync(join(PACKAGE_ROOT, 'docs', 'events.md'), 'utf8');
const jsonBlocks = [...doc.matchAll(/```json\n([\s\S]*?)\n```/g)].map((m) => m[1]!);

describe('docs/events.md', () => {
  it('carries the JSON Schema generated from shared/events/schema.ts', () => {
    const block = /<!-- schema:start -->\s*```json\n([\s\S]*?)\n```\s*<!-- schema:end -->/.exec(doc);
    expect(block, 'the schema block between the schema:start/end markers').not.toBeNull();
    expect(JSON.parse(block![1]!)).toEqual(envelopeJsonSchema());
  });

  it('has a section with an example for every event type, and every example is a valid envelope', () => {
    // Whole envelopes only (the one at the top elides `data.user` with "...").
    const examples = jsonBlocks
      .filter((text) => !text.includes('"..."'))
      .map((text) => JSON.parse(text) as Record<string, unknown>)
      .filter((value) => value.version === 1 && typeof value.type === 'string');
    for (const type of EVENT_TYPES) {
      expect(doc, type).toContain(`### \`${type}\``);
      expect(
        examples.some((e) => e.type === type),
        `an example of ${type}`,
      ).toBe(true);
    }
    for (const example of examples) {
      const parsed = eventEnvelope.safeParse(example);
      expect(parsed.success, `${example.type as string}: ${parsed.error?.message}`).toBe(true);
    }
  });

  it('names the EventBridge source the function uses', () => {
    expect(doc).toMatch(new RegExp(`\\|\\s*\`source\`\\s*\\|\\s*\`${EVENT_SOURCE.replace('.', '\\.')}\``));
  });
});
