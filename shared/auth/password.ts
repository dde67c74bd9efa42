// Passwords an IdP sends (RFC 7643 §4.1.1: writeOnly, never returned) are kept only as a salted
// scrypt hash.
import { randomBytes, scryptSync } from 'node:crypto';

export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  return `scrypt$${salt.toString('base64')}$${scryptSync(password, salt, 32).toString('base64')}`;
}
