// SCIM bearer tokens: `scim_` + 43 base62 chars of randomness (256 bits) + 6 base62 chars of
// CRC32 over everything before it. The prefix lets secret scanners (and people) recognise a
// leaked token; the checksum lets the authorizer reject a mistyped or truncated token without a
// DynamoDB read. CRC32 detects every single-character substitution and every adjacent swap
// (both are bursts of at most 16 bits), which is why it is used rather than a truncated hash.
// Only hashToken(token) is ever stored.
import { createHash, randomBytes } from 'node:crypto';

export const TOKEN_PREFIX = 'scim_';
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** 62^43 > 2^256: 43 uniformly random base62 characters carry at least 256 bits. */
export const RANDOM_CHARS = 43;
/** 62^6 > 2^32: a CRC32 always fits. */
export const CHECKSUM_CHARS = 6;
export const TOKEN_LENGTH = TOKEN_PREFIX.length + RANDOM_CHARS + CHECKSUM_CHARS;

const TOKEN_SHAPE = new RegExp(`^${TOKEN_PREFIX}[0-9A-Za-z]{${RANDOM_CHARS + CHECKSUM_CHARS}}$`);

/** Source of random bytes; injectable so tests can pin a token. */
export type RandomBytes = (size: number) => Uint8Array;

/** What a token may do: `full` (read and write) or `read` (GET and searches only). */
export type TokenScope = 'full' | 'read';

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n += 1) {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE 802.3, as zlib and PNG), over the UTF-8 bytes of text. */
export function crc32(text: string): number {
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text, 'utf8')) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function base62Fixed(value: number, width: number): string {
  let out = '';
  let n = value;
  for (let i = 0; i < width; i += 1) {
    out = ALPHABET[n % 62]! + out;
    n = Math.floor(n / 62);
  }
  return out;
}

const checksumOf = (body: string) => base62Fixed(crc32(body), CHECKSUM_CHARS);

/** A new token. Each character is drawn by rejection sampling, so all 62 are equally likely. */
export function generateToken(random: RandomBytes = randomBytes): string {
  let body = '';
  for (let round = 0; body.length < RANDOM_CHARS; round += 1) {
    if (round > 64) throw new Error('the random source keeps returning bytes >= 248');
    for (const byte of random(RANDOM_CHARS)) {
      // 248 = 4 * 62: bytes above it would bias the first characters of the alphabet.
      if (byte < 248 && body.length < RANDOM_CHARS) body += ALPHABET[byte % 62];
    }
  }
  const head = TOKEN_PREFIX + body;
  return head + checksumOf(head);
}

/** True when the token has our prefix, length and alphabet and its checksum matches. */
export function isWellFormed(token: string): boolean {
  if (!TOKEN_SHAPE.test(token)) return false;
  const head = token.slice(0, TOKEN_LENGTH - CHECKSUM_CHARS);
  return token.slice(TOKEN_LENGTH - CHECKSUM_CHARS) === checksumOf(head);
}

/** What is stored and looked up: the SHA-256 of the token, hex. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
