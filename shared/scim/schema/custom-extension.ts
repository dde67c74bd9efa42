// The deployment-configured User extension. A deployment names its own URN and attributes in
// the env var SCIM_CUSTOM_EXTENSION (JSON), e.g.
//
//   {"id":"urn:ietf:params:scim:schemas:extension:acme:2.0:User","name":"AcmeUser",
//    "attributes":[{"name":"role","canonicalValues":["admin","member"]},{"name":"seats","type":"integer"}]}
//
// Omitted characteristics take the RFC 7643 §2.2 defaults (string, single-valued, readWrite,
// returned default, caseExact false). Without the variable, DEFAULT_CUSTOM_EXTENSION applies: its
// URN follows Entra's `urn:ietf:params:scim:schemas:extension:<Name>:2.0:User` pattern, which is
// what IdP admins type into their attribute mappings. A bad value fails at cold start (a plain
// Error, not a ScimError: it is the operator's mistake, never a client's).

import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { attribute } from '#scim/schema/attribute.ts';
import { ENTERPRISE_USER_SCHEMA_ID } from '#scim/schema/enterprise-user.ts';
import { GROUP_SCHEMA_ID } from '#scim/schema/group.ts';
import type { AttributeDef, SchemaDef } from '#scim/schema/types.ts';
import { USER_SCHEMA_ID } from '#scim/schema/user.ts';

export const CUSTOM_EXTENSION_ENV = 'SCIM_CUSTOM_EXTENSION';

export const DEFAULT_CUSTOM_EXTENSION: SchemaDef = {
  id: 'urn:ietf:params:scim:schemas:extension:app:2.0:User',
  name: 'AppUser',
  description: 'Application-specific user attributes (configure with SCIM_CUSTOM_EXTENSION)',
  attributes: [
    attribute('role', 'string', {
      description: "The user's role in the application, e.g. 'admin', 'member', 'viewer'.",
    }),
    attribute('team', 'string', { description: 'The team the user belongs to.' }),
    attribute('employeeType', 'string', { description: "The user's employment type, e.g. 'Employee', 'Contractor'." }),
    attribute('officeLocation', 'string', { description: "The user's office or site." }),
  ],
};

const NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

// zod/mini (not the full `zod` API) keeps the Lambda bundles small. It registers no locale, so
// the English messages the full API gives by default are passed per parse (LOCALE below).
const attributeConfig: z.ZodMiniType<AttributeConfig> = z.lazy(() =>
  z.strictObject({
    name: z.string().check(z.regex(NAME, 'must match ALPHA *(ALPHA / DIGIT / "-" / "_")')),
    type: z.optional(z.enum(['string', 'boolean', 'decimal', 'integer', 'dateTime', 'reference', 'complex', 'binary'])),
    multiValued: z.optional(z.boolean()),
    description: z.optional(z.string()),
    required: z.optional(z.boolean()),
    caseExact: z.optional(z.boolean()),
    mutability: z.optional(z.enum(['readOnly', 'readWrite', 'immutable', 'writeOnly'])),
    returned: z.optional(z.enum(['always', 'never', 'default', 'request'])),
    uniqueness: z.optional(z.enum(['none', 'server', 'global'])),
    canonicalValues: z.optional(z.array(z.string())),
    referenceTypes: z.optional(z.array(z.string())),
    subAttributes: z.optional(z.array(attributeConfig)),
  }),
);

interface AttributeConfig {
  name: string;
  type?: AttributeDef['type'] | undefined;
  multiValued?: boolean | undefined;
  description?: string | undefined;
  required?: boolean | undefined;
  caseExact?: boolean | undefined;
  mutability?: AttributeDef['mutability'] | undefined;
  returned?: AttributeDef['returned'] | undefined;
  uniqueness?: AttributeDef['uniqueness'] | undefined;
  canonicalValues?: string[] | undefined;
  referenceTypes?: string[] | undefined;
  subAttributes?: AttributeConfig[] | undefined;
}

const extensionConfig = z.strictObject({
  id: z.string().check(z.regex(/^urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:[^\s]+$/, 'must be a URN')),
  name: z.string().check(z.minLength(1)),
  description: z.optional(z.string()),
  attributes: z.array(attributeConfig).check(z.minLength(1)),
});

/** English default messages (e.g. "Invalid input: expected string, received number"). */
const LOCALE = { error: en().localeError };

function toAttributeDef(config: AttributeConfig, depth: number, where: string): AttributeDef {
  const type = config.type ?? (config.subAttributes ? 'complex' : 'string');
  if (type === 'complex') {
    if (depth > 0) throw new Error(`${where}: complex sub-attributes are not allowed (RFC 7643 §2.3.8)`);
    if (!config.subAttributes?.length) throw new Error(`${where}: a complex attribute needs subAttributes`);
  } else if (config.subAttributes) {
    throw new Error(`${where}: only a complex attribute may have subAttributes`);
  }
  const { name, subAttributes, ...rest } = config;
  const options = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  const def = attribute(name, type, options);
  if (type === 'reference' && !def.referenceTypes) def.referenceTypes = ['external'];
  if (subAttributes) {
    def.subAttributes = subAttributes.map((s) => toAttributeDef(s, depth + 1, `${where}.${s.name}`));
    assertUniqueNames(def.subAttributes, where);
  }
  return def;
}

function assertUniqueNames(attributes: AttributeDef[], where: string): void {
  const seen = new Set<string>();
  for (const a of attributes) {
    const key = a.name.toLowerCase();
    if (seen.has(key)) throw new Error(`${where}: attribute "${a.name}" is defined twice (names are case-insensitive)`);
    seen.add(key);
  }
}

/** Parses one extension definition (the JSON shape of SCIM_CUSTOM_EXTENSION). Throws on a bad definition. */
export function parseCustomExtension(json: unknown): SchemaDef {
  const parsed = extensionConfig.safeParse(json, LOCALE);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `${CUSTOM_EXTENSION_ENV}: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`,
    );
  }
  const { id, name, description, attributes } = parsed.data;
  const reserved = [USER_SCHEMA_ID, GROUP_SCHEMA_ID, ENTERPRISE_USER_SCHEMA_ID].map((s) => s.toLowerCase());
  if (reserved.includes(id.toLowerCase())) throw new Error(`${CUSTOM_EXTENSION_ENV}: id ${id} is a standard schema`);
  const defs = attributes.map((a) => toAttributeDef(a, 0, `${CUSTOM_EXTENSION_ENV} ${a.name}`));
  assertUniqueNames(defs, CUSTOM_EXTENSION_ENV);
  return { id, name, description: description ?? `${name} extension`, attributes: defs };
}

/** The custom extension for this deployment: SCIM_CUSTOM_EXTENSION when set, else the default. */
export function customExtensionFromEnv(env: Readonly<Record<string, string | undefined>>): SchemaDef {
  const raw = env[CUSTOM_EXTENSION_ENV];
  if (raw === undefined || raw.trim() === '') return DEFAULT_CUSTOM_EXTENSION;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (e) {
    throw new Error(`${CUSTOM_EXTENSION_ENV} is not valid JSON: ${(e as Error).message}`);
  }
  return parseCustomExtension(json);
}
