// RFC 9865 cursors. Two kinds, both opaque to clients: `k:` resumes an unfiltered listing after a
// key; `o:` is an offset into a filtered or sorted result. A cursor of one kind is refused by the other.
import { InvalidValueError } from '#scim/errors.ts';

export const encodeCursor = (after: string) => Buffer.from(`k:${after}`).toString('base64url');
export const encodeOffset = (offset: number) => Buffer.from(`o:${offset}`).toString('base64url');

function decodeRaw(cursor: string): string {
  const raw = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[ko]:[0-9A-Za-z]+$/.test(raw))
    throw new InvalidValueError('cursor is not one this server issued (RFC 9865 invalidCursor)');
  return raw;
}
export function decodeCursor(cursor: string): string {
  const raw = decodeRaw(cursor);
  if (!raw.startsWith('k:'))
    throw new InvalidValueError('cursor does not belong to this listing (RFC 9865 invalidCursor)');
  return raw.slice(2);
}
export function decodeOffset(cursor: string): number {
  if (!cursor) return 0;
  const raw = decodeRaw(cursor);
  if (!raw.startsWith('o:'))
    throw new InvalidValueError('cursor does not belong to this listing (RFC 9865 invalidCursor)');
  return Number(raw.slice(2));
}
