// Event ids: ULIDs computed from the stream record, never drawn at random, so a redelivered record
// gets the same ids (consumers deduplicate by id; the feed stores one item per id).
//
//   48 bits time   the change's time in ms (see translate.ts: the item's own timestamp, or the
//                  record's ApproximateCreationDateTime when later)
//   24 bits order  the item's version (users, groups) or 0: two changes of one item in the same
//                  millisecond still sort in the order they were made
//    8 bits index  which of the record's events (a PUT can both update and deactivate a user)
//   48 bits hash   SHA-256 of the record's eventID: distinct records never share an id
import { createHash } from 'node:crypto';
import { encodeTime } from 'ulid';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const ULID_PATTERN = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
/** The smallest ULID: a cursor before every event. */
export const FIRST_ID = '0'.repeat(26);
/** The greatest order: an event that must sort after every other of its millisecond. */
export const MAX_ORDER = 0xffffff;

/** 80 bits (10 bytes) → 16 Crockford base32 characters. */
function base32(bytes: Uint8Array): string {
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  let out = '';
  for (let i = 0; i < 16; i += 1) {
    out = CROCKFORD[Number(value & 31n)]! + out;
    value >>= 5n;
  }
  return out;
}

export function eventId(timeMs: number, order: number, index: number, recordId: string): string {
  const random = new Uint8Array(10);
  const o = Math.max(0, Math.min(MAX_ORDER, Math.floor(order)));
  random[0] = (o >> 16) & 0xff;
  random[1] = (o >> 8) & 0xff;
  random[2] = o & 0xff;
  random[3] = index & 0xff;
  random.set(createHash('sha256').update(recordId).digest().subarray(0, 6), 4);
  return encodeTime(Math.max(0, Math.floor(timeMs)), 10) + base32(random);
}

/** The greatest id whose time is `timeMs` or earlier: the feed's upper bound for a read. */
export const lastIdAt = (timeMs: number): string => encodeTime(Math.max(0, Math.floor(timeMs)), 10) + 'Z'.repeat(16);
