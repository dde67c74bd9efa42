// The core Group schema, RFC 7643 §4.2 with the characteristics of §8.7.1.
// Two deliberate differences from the §8.7.1 listing, both from the §4.2 prose:
// - `displayName` is required (§4.2 says REQUIRED; the §8.7.1 JSON says false, a known erratum),
//   and it is what Okta and Entra match groups on;
// - `members.display` exists (§4.2 and §2.4 allow it; Okta sends `{value, display}`), immutable
//   like the other member sub-attributes, since a membership is added or removed, never edited.

import { attribute } from '#scim/schema/attribute.ts';
import type { SchemaDef } from '#scim/schema/types.ts';

export const GROUP_SCHEMA_ID = 'urn:ietf:params:scim:schemas:core:2.0:Group';

export const groupSchema: SchemaDef = {
  id: GROUP_SCHEMA_ID,
  name: 'Group',
  description: 'Group',
  attributes: [
    attribute('displayName', 'string', {
      required: true,
      description: 'A human-readable name for the Group. REQUIRED.',
    }),
    attribute('members', 'complex', {
      multiValued: true,
      description: 'A list of members of the Group.',
      subAttributes: [
        attribute('value', 'string', {
          mutability: 'immutable',
          description: 'Identifier of the member of this Group.',
        }),
        attribute('$ref', 'reference', {
          mutability: 'immutable',
          referenceTypes: ['User', 'Group'],
          description: 'The URI corresponding to a SCIM resource that is a member of this Group.',
        }),
        attribute('display', 'string', {
          mutability: 'immutable',
          description: 'A human-readable name for the member.',
        }),
        attribute('type', 'string', {
          mutability: 'immutable',
          canonicalValues: ['User', 'Group'],
          description: "A label indicating the type of resource, e.g., 'User' or 'Group'.",
        }),
      ],
    }),
  ],
};
