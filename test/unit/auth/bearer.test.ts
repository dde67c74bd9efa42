import { describe, expect, it } from 'vitest';
import { bearerToken } from '#auth/bearer.ts';

describe('bearerToken', () => {
  it.each([
    ['Bearer abc', 'abc'],
    ['bearer   abc  ', 'abc'],
    ['BEARER\tabc', 'abc'],
    ['Bearer Bearer abc', 'abc'], // Entra: the admin pasted "Bearer <token>" into Secret Token
    ['abc', 'abc'],
    ['Basic dXNlcjpwdw==', undefined],
    ['Bearer a b', undefined],
    ['', undefined],
  ])('%j → %j', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });
});
