// Shared test fixtures for the scim unit tests: a registry with a custom extension that exercises
// every attribute type and characteristic the default one does not.
import { parseCustomExtension } from '#scim/schema/custom-extension.ts';
import { createRegistry } from '#scim/schema/registry.ts';

export const TEST_EXTENSION_ID = 'urn:ietf:params:scim:schemas:extension:test:2.0:User';

export const testExtension = parseCustomExtension({
  id: TEST_EXTENSION_ID,
  name: 'TestUser',
  attributes: [
    { name: 'role', canonicalValues: ['admin', 'member'] },
    { name: 'seats', type: 'integer' },
    { name: 'ratio', type: 'decimal' },
    { name: 'startDate', type: 'dateTime' },
    { name: 'tags', multiValued: true },
    { name: 'contractor', type: 'boolean' },
    { name: 'badgeId', mutability: 'immutable', caseExact: false },
    { name: 'secret', mutability: 'writeOnly', returned: 'never' },
    { name: 'internalNote', returned: 'request' },
    {
      name: 'licence',
      subAttributes: [
        { name: 'sku', required: true },
        { name: 'seats', type: 'integer' },
      ],
    },
  ],
});

export const registry = createRegistry({ customExtension: testExtension });
