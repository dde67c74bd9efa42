// The Enterprise User extension, RFC 7643 §4.3 with the characteristics of §8.7.1.

import { attribute } from '#scim/schema/attribute.ts';
import type { SchemaDef } from '#scim/schema/types.ts';

export const ENTERPRISE_USER_SCHEMA_ID = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

export const enterpriseUserSchema: SchemaDef = {
  id: ENTERPRISE_USER_SCHEMA_ID,
  name: 'EnterpriseUser',
  description: 'Enterprise User',
  attributes: [
    attribute('employeeNumber', 'string', {
      description:
        'Numeric or alphanumeric identifier assigned to a person, typically based on order of hire or association with an organization.',
    }),
    attribute('costCenter', 'string', { description: 'Identifies the name of a cost center.' }),
    attribute('organization', 'string', { description: 'Identifies the name of an organization.' }),
    attribute('division', 'string', { description: 'Identifies the name of a division.' }),
    attribute('department', 'string', { description: 'Identifies the name of a department.' }),
    attribute('manager', 'complex', {
      description:
        "The User's manager. A complex type that optionally allows service providers to represent organizational hierarchy by referencing the 'id' attribute of another User.",
      subAttributes: [
        attribute('value', 'string', { description: "The id of the SCIM resource representing the User's manager." }),
        attribute('$ref', 'reference', {
          referenceTypes: ['User'],
          description: "The URI of the SCIM resource representing the User's manager.",
        }),
        attribute('displayName', 'string', {
          mutability: 'readOnly',
          description: "The displayName of the User's manager.",
        }),
      ],
    }),
  ],
};
