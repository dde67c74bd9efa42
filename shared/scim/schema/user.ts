// The core User schema, RFC 7643 §4.1 with the characteristics of §8.7.1.
// One deliberate addition: `addresses.primary`. §8.7.1 omits it, but §2.4 gives every
// multi-valued attribute a `primary` sub-attribute and the RFC's own example (§8.2) sends it;
// leaving it out would make us drop a value clients send and then see it missing on GET.

import { attribute, valueTypePrimary } from '#scim/schema/attribute.ts';
import type { SchemaDef } from '#scim/schema/types.ts';

export const USER_SCHEMA_ID = 'urn:ietf:params:scim:schemas:core:2.0:User';

export const userSchema: SchemaDef = {
  id: USER_SCHEMA_ID,
  name: 'User',
  description: 'User Account',
  attributes: [
    attribute('userName', 'string', {
      required: true,
      uniqueness: 'server',
      description:
        'Unique identifier for the User, typically used by the user to directly authenticate to the ' +
        'service provider. Each User MUST include a non-empty userName value. This identifier MUST be ' +
        "unique across the service provider's entire set of Users. REQUIRED.",
    }),
    attribute('name', 'complex', {
      description: "The components of the user's real name.",
      subAttributes: [
        attribute('formatted', 'string', {
          description:
            'The full name, including all middle names, titles, and suffixes as appropriate, formatted for display.',
        }),
        attribute('familyName', 'string', {
          description: 'The family name of the User, or last name in most Western languages.',
        }),
        attribute('givenName', 'string', {
          description: 'The given name of the User, or first name in most Western languages.',
        }),
        attribute('middleName', 'string', { description: 'The middle name(s) of the User.' }),
        attribute('honorificPrefix', 'string', {
          description: 'The honorific prefix(es) of the User, or title in most Western languages.',
        }),
        attribute('honorificSuffix', 'string', {
          description: 'The honorific suffix(es) of the User, or suffix in most Western languages.',
        }),
      ],
    }),
    attribute('displayName', 'string', {
      description: 'The name of the User, suitable for display to end-users.',
    }),
    attribute('nickName', 'string', {
      description: "The casual way to address the user in real life, e.g., 'Bob' or 'Bobby' instead of 'Robert'.",
    }),
    attribute('profileUrl', 'reference', {
      referenceTypes: ['external'],
      description: "A fully qualified URL pointing to a page representing the User's online profile.",
    }),
    attribute('title', 'string', { description: 'The user\'s title, such as "Vice President."' }),
    attribute('userType', 'string', {
      description:
        "Used to identify the relationship between the organization and the user. Typical values used might be 'Contractor', " +
        "'Employee', 'Intern', 'Temp', 'External', and 'Unknown', but any value may be used.",
    }),
    attribute('preferredLanguage', 'string', {
      description: "Indicates the User's preferred written or spoken language, e.g., 'en-US'.",
    }),
    attribute('locale', 'string', {
      description:
        "Used to indicate the User's default location for purposes of localizing items such as currency, date time format, or numerical representations.",
    }),
    attribute('timezone', 'string', {
      description: "The User's time zone in the 'Olson' time zone database format, e.g., 'America/Los_Angeles'.",
    }),
    attribute('active', 'boolean', { description: "A Boolean value indicating the User's administrative status." }),
    attribute('password', 'string', {
      mutability: 'writeOnly',
      returned: 'never',
      description:
        "The User's cleartext password. This attribute is intended to be used as a means to specify an initial password " +
        "when creating a new User or to reset an existing User's password.",
    }),
    attribute('emails', 'complex', {
      multiValued: true,
      description: "Email addresses for the user. Canonical type values of 'work', 'home', and 'other'.",
      subAttributes: valueTypePrimary('string', 'Email addresses for the user.', ['work', 'home', 'other']),
    }),
    attribute('phoneNumbers', 'complex', {
      multiValued: true,
      description:
        "Phone numbers for the User. Canonical type values of 'work', 'home', 'mobile', 'fax', 'pager', and 'other'.",
      subAttributes: valueTypePrimary('string', 'Phone number of the User.', [
        'work',
        'home',
        'mobile',
        'fax',
        'pager',
        'other',
      ]),
    }),
    attribute('ims', 'complex', {
      multiValued: true,
      description: 'Instant messaging addresses for the User.',
      subAttributes: valueTypePrimary('string', 'Instant messaging address for the User.', [
        'aim',
        'gtalk',
        'icq',
        'xmpp',
        'msn',
        'skype',
        'qq',
        'yahoo',
      ]),
    }),
    attribute('photos', 'complex', {
      multiValued: true,
      description: 'URLs of photos of the User.',
      subAttributes: valueTypePrimary('reference', 'URL of a photo of the User.', ['photo', 'thumbnail'], {
        valueReferenceTypes: ['external'],
      }),
    }),
    attribute('addresses', 'complex', {
      multiValued: true,
      description: "A physical mailing address for this User. Canonical type values of 'work', 'home', and 'other'.",
      subAttributes: [
        attribute('formatted', 'string', {
          description: 'The full mailing address, formatted for display or use with a mailing label.',
        }),
        attribute('streetAddress', 'string', { description: 'The full street address component.' }),
        attribute('locality', 'string', { description: 'The city or locality component.' }),
        attribute('region', 'string', { description: 'The state or region component.' }),
        attribute('postalCode', 'string', { description: 'The zip code or postal code component.' }),
        attribute('country', 'string', { description: 'The country name component.' }),
        attribute('type', 'string', {
          description: "A label indicating the attribute's function, e.g., 'work' or 'home'.",
          canonicalValues: ['work', 'home', 'other'],
        }),
        attribute('primary', 'boolean', {
          description:
            "A Boolean value indicating the preferred mailing address. The primary attribute value 'true' MUST appear no more than once.",
        }),
      ],
    }),
    attribute('groups', 'complex', {
      multiValued: true,
      mutability: 'readOnly',
      description:
        'A list of groups to which the user belongs, either through direct membership, through nested groups, or dynamically calculated.',
      subAttributes: [
        attribute('value', 'string', { mutability: 'readOnly', description: "The identifier of the User's group." }),
        attribute('$ref', 'reference', {
          mutability: 'readOnly',
          referenceTypes: ['User', 'Group'],
          description: "The URI of the corresponding 'Group' resource to which the user belongs.",
        }),
        attribute('display', 'string', {
          mutability: 'readOnly',
          description: 'A human-readable name, primarily used for display purposes.',
        }),
        attribute('type', 'string', {
          mutability: 'readOnly',
          canonicalValues: ['direct', 'indirect'],
          description: "A label indicating the attribute's function, e.g., 'direct' or 'indirect'.",
        }),
      ],
    }),
    attribute('entitlements', 'complex', {
      multiValued: true,
      description: 'A list of entitlements for the User that represent a thing the User has.',
      subAttributes: valueTypePrimary('string', 'The value of an entitlement.', undefined),
    }),
    attribute('roles', 'complex', {
      multiValued: true,
      description:
        "A list of roles for the User that collectively represent who the User is, e.g., 'Student', 'Faculty'.",
      subAttributes: valueTypePrimary('string', 'The value of a role.', []),
    }),
    attribute('x509Certificates', 'complex', {
      multiValued: true,
      description: 'A list of certificates issued to the User.',
      subAttributes: valueTypePrimary('binary', 'The value of an X.509 certificate.', []),
    }),
  ],
};
