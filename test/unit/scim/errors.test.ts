import { describe, expect, it } from 'vitest';
import { InvalidFilterError, UnauthorizedError } from '#scim/errors.ts';

describe('ScimError', () => {
  it('serialises to an RFC 7644 §3.12 body with status as a string', () => {
    expect(new InvalidFilterError('bad').toBody()).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '400',
      scimType: 'invalidFilter',
      detail: 'bad',
    });
  });
  it('carries WWW-Authenticate on 401', () => {
    const e = new UnauthorizedError('token expired');
    expect(e.status).toBe(401);
    expect(e.headers['WWW-Authenticate']).toMatch(/^Bearer/);
    expect(e.toBody()).not.toHaveProperty('scimType');
  });
});
