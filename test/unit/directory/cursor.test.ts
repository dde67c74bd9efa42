// RFC 9865 cursors: opaque round trips, and a clear invalidCursor-style refusal for anything else.
import { describe, expect, it } from 'vitest';
import { decodeCursor, decodeOffset, encodeCursor, encodeOffset } from '#directory/cursor.ts';
import { InvalidValueError } from '#scim/errors.ts';

describe('cursor codec', () => {
  it('round-trips a key cursor and an offset cursor', () => {
    expect(decodeCursor(encodeCursor('01J9ZK3M4N5P6Q7R8S9T0V1W2X'))).toBe('01J9ZK3M4N5P6Q7R8S9T0V1W2X');
    expect(decodeOffset(encodeOffset(300))).toBe(300);
  });

  it('an empty cursor starts an offset listing at 0', () => {
    expect(decodeOffset('')).toBe(0);
  });

  it.each([
    ['not base64url of ours', 'garbage!!'],
    ['another kind of cursor', Buffer.from('x:1').toString('base64url')],
    ['an injected key', Buffer.from('k:USER#1 OR 1=1').toString('base64url')],
  ])('refuses %s', (_, cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(InvalidValueError);
    expect(() => decodeOffset(cursor)).toThrow(/cursor/);
  });

  it('a key cursor is refused where an offset is expected, and the reverse', () => {
    expect(() => decodeOffset(encodeCursor('01J9'))).toThrow(/does not belong to this listing/);
    expect(() => decodeCursor(encodeOffset(5))).toThrow(/does not belong to this listing/);
  });
});
