// The common attributes of every resource (RFC 7643 §3.1). They belong to no schema: /Schemas
// does not list them (as in §8.7.1), but they resolve, validate and project like any attribute.

import { attribute } from '#scim/schema/attribute.ts';
import type { AttributeDef } from '#scim/schema/types.ts';

export const commonAttributes: AttributeDef[] = [
  attribute('id', 'string', {
    caseExact: true,
    mutability: 'readOnly',
    returned: 'always',
    uniqueness: 'server',
    description: 'A unique identifier for a SCIM resource as defined by the service provider.',
  }),
  attribute('externalId', 'string', {
    caseExact: true,
    description: 'A String that is an identifier for the resource as defined by the provisioning client.',
  }),
  attribute('meta', 'complex', {
    mutability: 'readOnly',
    description: 'A complex attribute containing resource metadata.',
    subAttributes: [
      attribute('resourceType', 'string', {
        caseExact: true,
        mutability: 'readOnly',
        description: 'The name of the resource type of the resource.',
      }),
      attribute('created', 'dateTime', {
        mutability: 'readOnly',
        description: 'The DateTime that the resource was added to the service provider.',
      }),
      attribute('lastModified', 'dateTime', {
        mutability: 'readOnly',
        description: 'The most recent DateTime that the details of this resource were updated at the service provider.',
      }),
      attribute('location', 'reference', {
        mutability: 'readOnly',
        referenceTypes: ['uri'],
        description: 'The URI of the resource being returned.',
      }),
      attribute('version', 'string', {
        caseExact: true,
        mutability: 'readOnly',
        description: 'The version of the resource being returned (its ETag).',
      }),
    ],
  }),
];
