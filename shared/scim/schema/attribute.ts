// A compact way to write RFC 7643 §7 attribute definitions. The defaults are the ones RFC 7643
// §2.2 gives for an attribute whose characteristics are not stated, so a definition only lists
// what differs from them and reads like the RFC's own tables.

import type { AttributeDef, AttributeType } from '#scim/schema/types.ts';

export type AttributeOptions = Partial<Omit<AttributeDef, 'name' | 'type'>>;

export function attribute(name: string, type: AttributeType, options: AttributeOptions = {}): AttributeDef {
  const def: AttributeDef = {
    name,
    type,
    multiValued: false,
    description: '',
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...options,
  };
  return def;
}

/**
 * The sub-attributes RFC 7643 §2.4 gives a multi-valued attribute by default, with the
 * canonical `type` values of the attribute in question.
 */
export function valueTypePrimary(
  valueType: AttributeType,
  valueDescription: string,
  typeValues: string[] | undefined,
  extra: { valueReferenceTypes?: string[] } = {},
): AttributeDef[] {
  return [
    attribute('value', valueType, {
      description: valueDescription,
      ...(extra.valueReferenceTypes ? { referenceTypes: extra.valueReferenceTypes } : {}),
    }),
    attribute('display', 'string', {
      description: 'A human-readable name, primarily used for display purposes.',
    }),
    attribute('type', 'string', {
      description: "A label indicating the attribute's function.",
      ...(typeValues ? { canonicalValues: typeValues } : {}),
    }),
    attribute('primary', 'boolean', {
      description:
        "A Boolean value indicating the 'primary' or preferred attribute value for this attribute. " +
        "The primary attribute value 'true' MUST appear no more than once.",
    }),
  ];
}
