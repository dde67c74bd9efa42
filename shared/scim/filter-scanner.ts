// The scanner under the filter grammar (filter.ts) and the PATCH path grammar (path.ts): one
// pass over the text, no regular expressions and no token array. It reads words (attribute
// paths, operators, keywords), JSON string literals and names, and words the errors both
// grammars give: `Unexpected <what is at pos> at position <pos>; expected <expected>`, with
// 0-based character offsets, as in JSON.parse messages.

import type { AttrPath } from '#scim/ast.ts';
import { InvalidFilterError, InvalidPathError, type ScimError } from '#scim/errors.ts';

// Character classes by code unit. Word characters make up attribute paths (with URN prefixes),
// operators and keywords; value characters are anything a bare (unquoted) value may contain.
const WORD = new Uint8Array(128);
for (let c = 48; c <= 57; c++) WORD[c] = 1; // 0-9
for (let c = 65; c <= 90; c++) WORD[c] = 1; // A-Z
for (let c = 97; c <= 122; c++) WORD[c] = 1; // a-z
for (const ch of '-_$.:') WORD[ch.charCodeAt(0)] = 1;

const SPACE = 32,
  TAB = 9,
  LF = 10,
  CR = 13;
const QUOTE = 34,
  DOT = 46,
  BACKSLASH = 92,
  COLON = 58;

const isWordCode = (c: number) => c < 128 && WORD[c] === 1;
export const isWs = (c: number) => c === SPACE || c === TAB || c === LF || c === CR;
const isAlpha = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isDigit = (c: number) => c >= 48 && c <= 57;

/** Scanning state and the token readers of the filter and path grammars. */
export class FilterScanner {
  pos = 0;
  protected depth = 0;

  constructor(
    readonly src: string,
    readonly kind: 'filter' | 'path',
    protected readonly maxDepth: number,
  ) {}

  // ---- errors -------------------------------------------------------------------------------

  error(detail: string): ScimError {
    return this.kind === 'filter' ? new InvalidFilterError(detail) : new InvalidPathError(detail);
  }

  /** Throws `Unexpected <what is at pos> at position <pos>; expected <expected>`. */
  fail(pos: number, expected: string): never {
    throw this.error(`Unexpected ${this.describe(pos)} at position ${pos}; expected ${expected}`);
  }

  protected describe(pos: number): string {
    const src = this.src;
    if (pos >= src.length) return `end of ${this.kind}`;
    if (isWs(src.charCodeAt(pos))) return 'whitespace';
    let end = pos + 1;
    if (isWordCode(src.charCodeAt(pos))) {
      while (end < src.length && isWordCode(src.charCodeAt(end))) end++;
    } else if (src.charCodeAt(pos) === QUOTE) {
      while (end < src.length && src.charCodeAt(end) !== QUOTE) end++;
      if (end < src.length) end++;
    }
    let token = src.slice(pos, end);
    if (token.length > 40) token = `${token.slice(0, 40)}…`;
    return JSON.stringify(token);
  }

  protected enter(pos: number): void {
    if (++this.depth > this.maxDepth) {
      throw this.error(`The ${this.kind} nests deeper than ${this.maxDepth} levels at position ${pos}`);
    }
  }

  // ---- scanning -----------------------------------------------------------------------------

  atEnd(): boolean {
    return this.pos >= this.src.length;
  }

  peek(): number {
    return this.pos < this.src.length ? this.src.charCodeAt(this.pos) : -1;
  }

  skipWs(): void {
    const src = this.src;
    let p = this.pos;
    while (p < src.length && isWs(src.charCodeAt(p))) p++;
    this.pos = p;
  }

  /** Reads a run of word characters (possibly empty). */
  readWord(): string {
    const src = this.src;
    const start = this.pos;
    let p = start;
    while (p < src.length && isWordCode(src.charCodeAt(p))) p++;
    this.pos = p;
    return src.slice(start, p);
  }

  /** Consumes `keyword` (case-insensitive) if it comes next as a whole word; else leaves pos alone. */
  protected matchKeyword(keyword: string): boolean {
    const src = this.src;
    let p = this.pos;
    while (p < src.length && isWs(src.charCodeAt(p))) p++;
    const end = p + keyword.length;
    if (end > src.length) return false;
    for (let i = 0; i < keyword.length; i++) {
      // keywords are lower-case ASCII letters; `| 32` folds A-Z onto a-z
      if ((src.charCodeAt(p + i) | 32) !== keyword.charCodeAt(i)) return false;
    }
    if (end < src.length && isWordCode(src.charCodeAt(end))) return false;
    this.pos = end;
    return true;
  }

  protected expectChar(code: number, expected: string): void {
    this.skipWs();
    if (this.peek() !== code) this.fail(this.pos, expected);
    this.pos++;
  }

  // ---- literals and names -------------------------------------------------------------------

  /** A JSON string literal at pos (which is at the opening quote). */
  parseString(): string {
    const src = this.src;
    const start = this.pos;
    let p = start + 1;
    let out = '';
    let chunk = p;
    for (;;) {
      if (p >= src.length) throw this.error(`Unterminated string starting at position ${start}`);
      const c = src.charCodeAt(p);
      if (c === QUOTE) break;
      if (c !== BACKSLASH) {
        p++;
        continue;
      }
      out += src.slice(chunk, p);
      const e = p + 1 < src.length ? src.charCodeAt(p + 1) : -1;
      switch (e) {
        case QUOTE:
          out += '"';
          break;
        case BACKSLASH:
          out += '\\';
          break;
        case 47:
          out += '/';
          break;
        case 98:
          out += '\b';
          break;
        case 102:
          out += '\f';
          break;
        case 110:
          out += '\n';
          break;
        case 114:
          out += '\r';
          break;
        case 116:
          out += '\t';
          break;
        case 117: {
          let code = 0;
          for (let i = 2; i < 6; i++) {
            const h = p + i < src.length ? hexValue(src.charCodeAt(p + i)) : -1;
            if (h < 0) throw this.error(`Invalid \\u escape at position ${p}; expected four hex digits`);
            code = code * 16 + h;
          }
          out += String.fromCharCode(code);
          p += 4;
          break;
        }
        default:
          throw this.error(
            `Invalid escape ${JSON.stringify(src.slice(p, p + 2))} at position ${p}; ` +
              'expected one of \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX',
          );
      }
      p += 2;
      chunk = p;
    }
    out += src.slice(chunk, p);
    this.pos = p + 1;
    return out;
  }

  /** Reads an ATTRNAME (no "." or ":"): used for the sub-attribute after "].". */
  readName(): string {
    const src = this.src;
    const start = this.pos;
    let p = start;
    while (p < src.length) {
      const c = src.charCodeAt(p);
      if (!isWordCode(c) || c === DOT || c === COLON) break;
      p++;
    }
    this.pos = p;
    const name = src.slice(start, p);
    if (name !== '' && !isAttrName(name)) this.badName(name, start);
    return name;
  }

  protected badName(name: string, pos: number): never {
    throw this.error(
      `Invalid attribute name ${JSON.stringify(name)} at position ${pos}; ` +
        'a name starts with a letter and continues with letters, digits, "-" or "_"',
    );
  }

  /** Splits `[uri ":"] attr ["." sub]` (already scanned as one word starting at `start`). */
  toAttrPath(word: string, start: number): AttrPath {
    let uri: string | undefined;
    let rest = word;
    let restStart = start;
    const colon = word.lastIndexOf(':');
    if (colon >= 0) {
      uri = word.slice(0, colon);
      rest = word.slice(colon + 1);
      restStart = start + colon + 1;
      if (uri === '') this.badName(word, start);
      // Legacy `urn:scim:schemas:extension:enterprise:2.0.department`: the version belongs to the URI.
      if (isDigit(rest.charCodeAt(0))) {
        let v = 0;
        while (v < rest.length && (isDigit(rest.charCodeAt(v)) || rest.charCodeAt(v) === DOT)) {
          if (rest.charCodeAt(v) === DOT && v + 1 < rest.length && !isDigit(rest.charCodeAt(v + 1))) break;
          v++;
        }
        if (v < rest.length && rest.charCodeAt(v) === DOT) {
          uri = `${uri}:${rest.slice(0, v)}`;
          rest = rest.slice(v + 1);
          restStart += v + 1;
        }
      }
    }
    const dot = rest.indexOf('.');
    const attribute = dot < 0 ? rest : rest.slice(0, dot);
    if (!isAttrName(attribute)) {
      if (attribute === '') this.fail(restStart, 'an attribute name');
      this.badName(attribute, restStart);
    }
    const path: AttrPath = uri === undefined ? { attribute } : { uri, attribute };
    if (dot >= 0) {
      const sub = rest.slice(dot + 1);
      const subStart = restStart + dot + 1;
      if (sub.indexOf('.') >= 0) {
        throw this.error(
          `Too many levels in ${JSON.stringify(word)} at position ${start}; SCIM paths are attribute or attribute.subAttribute`,
        );
      }
      if (!isAttrName(sub)) {
        if (sub === '') this.fail(subStart, 'a sub-attribute name after "."');
        this.badName(sub, subStart);
      }
      path.subAttribute = sub;
    }
    return path;
  }
}

/** ATTRNAME = ALPHA *(nameChar), plus the `$ref` that RFC 7643 itself uses. */
export function isAttrName(name: string): boolean {
  if (name === '') return false;
  const first = name.charCodeAt(0);
  if (!isAlpha(first) && !(first === 36 /* $ */ && name.length > 1)) return false;
  for (let i = 1; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (!(isAlpha(c) || isDigit(c) || c === 45 /* - */ || c === 95 /* _ */)) return false;
  }
  return true;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 32;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

/** JSON number grammar: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
export function isJsonNumber(s: string): boolean {
  let i = 0;
  const n = s.length;
  if (s.charCodeAt(i) === 45) i++;
  if (i >= n) return false;
  if (s.charCodeAt(i) === 48) i++;
  else if (isDigit(s.charCodeAt(i))) while (i < n && isDigit(s.charCodeAt(i))) i++;
  else return false;
  if (i < n && s.charCodeAt(i) === DOT) {
    i++;
    if (!(i < n && isDigit(s.charCodeAt(i)))) return false;
    while (i < n && isDigit(s.charCodeAt(i))) i++;
  }
  if (i < n && (s.charCodeAt(i) | 32) === 101) {
    i++;
    if (i < n && (s.charCodeAt(i) === 43 || s.charCodeAt(i) === 45)) i++;
    if (!(i < n && isDigit(s.charCodeAt(i)))) return false;
    while (i < n && isDigit(s.charCodeAt(i))) i++;
  }
  return i === n;
}
