// The SCIM filter parser (RFC 7644 §3.4.2.2): one pass over the text, a hand-written scanner and
// a recursive-descent parser, no regular expressions and no token array. Precedence is
// not > and > or; and/or chains are built in loops, so only parentheses, `not` and `[...]` recurse,
// and those are bounded by the nesting limit.
//
// Leniencies, each seen from a real client (shared/reference/idp-quirks.md §0, §8.2):
// - operators, `and`/`or`/`not` and `true`/`false`/`null` are case-insensitive (PingOne `Eq`);
// - `emails[type eq "work"].value eq "x"` (Entra, not RFC) becomes
//   `emails[type eq "work" and value eq "x"]`;
// - a bare token as a value (`externalId eq jyoung`, Entra's own doc) is read as a string;
// - `urn:scim:schemas:extension:enterprise:2.0.department` (old Entra `customappsso` jobs) splits
//   into uri `urn:scim:schemas:extension:enterprise:2.0` and attribute `department`;
// - whitespace is any run of spaces, tabs or line breaks, and may be omitted where nothing is
//   ambiguous (`userName eq"x"`, `(a pr)and(b pr)`).
// Positions in error details are 0-based character offsets, as in JSON.parse messages.

import type { AttrPath, CompareOp, FilterNode, FilterValue } from '#scim/ast.ts';
import { InvalidFilterError, InvalidPathError, type ScimError } from '#scim/errors.ts';

export const MAX_FILTER_LENGTH = 4096;
export const MAX_FILTER_DEPTH = 32;

export interface FilterParseOptions {
  /** Longest accepted filter, in UTF-16 code units. Default {@link MAX_FILTER_LENGTH}. */
  maxLength?: number;
  /** Deepest accepted nesting of `(...)`, `not (...)` and `[...]`. Default {@link MAX_FILTER_DEPTH}. */
  maxDepth?: number;
}

/** Parses a `filter` query parameter (already URL-decoded). Throws only {@link InvalidFilterError}. */
export function parseFilter(text: string, options: FilterParseOptions = {}): FilterNode {
  const maxLength = options.maxLength ?? MAX_FILTER_LENGTH;
  if (typeof text !== 'string') throw new InvalidFilterError('The filter must be a string');
  if (text.length > maxLength) {
    throw new InvalidFilterError(`The filter is ${text.length} characters long; at most ${maxLength} are accepted`);
  }
  const parser = new FilterParser(text, 'filter', options.maxDepth ?? MAX_FILTER_DEPTH);
  parser.skipWs();
  if (parser.atEnd()) throw new InvalidFilterError('The filter is empty');
  const node = parser.parseExpression(false);
  parser.skipWs();
  if (!parser.atEnd()) parser.fail(parser.pos, '"and", "or" or the end of the filter');
  return node;
}

export const COMPARE_OPS: readonly CompareOp[] = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'];
const OPERATOR_LIST = 'a comparison operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr)';
const VALUE_LIST = 'a value (a quoted string, a number, true, false or null)';

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
  LPAREN = 40,
  RPAREN = 41,
  LBRACKET = 91,
  RBRACKET = 93,
  DOT = 46,
  BACKSLASH = 92,
  COLON = 58;

const isWordCode = (c: number) => c < 128 && WORD[c] === 1;
const isWs = (c: number) => c === SPACE || c === TAB || c === LF || c === CR;
const isAlpha = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isDigit = (c: number) => c >= 48 && c <= 57;

/**
 * The scanner and recursive-descent parser shared by {@link parseFilter} and
 * `parsePatchPath` (path.ts). `kind` picks the error class and the noun used in details.
 */
export class FilterParser {
  pos = 0;
  private depth = 0;

  constructor(
    readonly src: string,
    readonly kind: 'filter' | 'path',
    private readonly maxDepth: number,
  ) {}

  // ---- errors -------------------------------------------------------------------------------

  error(detail: string): ScimError {
    return this.kind === 'filter' ? new InvalidFilterError(detail) : new InvalidPathError(detail);
  }

  /** Throws `Unexpected <what is at pos> at position <pos>; expected <expected>`. */
  fail(pos: number, expected: string): never {
    throw this.error(`Unexpected ${this.describe(pos)} at position ${pos}; expected ${expected}`);
  }

  private describe(pos: number): string {
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

  private enter(pos: number): void {
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
  private matchKeyword(keyword: string): boolean {
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

  private expectChar(code: number, expected: string): void {
    this.skipWs();
    if (this.peek() !== code) this.fail(this.pos, expected);
    this.pos++;
  }

  // ---- grammar ------------------------------------------------------------------------------

  /** `or`-level expression. Inside `[...]` (inValuePath) attribute paths are element-relative. */
  parseExpression(inValuePath: boolean): FilterNode {
    let left = this.parseAnd(inValuePath);
    while (this.matchKeyword('or')) {
      const right = this.parseAnd(inValuePath);
      left = { kind: 'or', left, right };
    }
    return left;
  }

  private parseAnd(inValuePath: boolean): FilterNode {
    let left = this.parseTerm(inValuePath);
    while (this.matchKeyword('and')) {
      const right = this.parseTerm(inValuePath);
      left = { kind: 'and', left, right };
    }
    return left;
  }

  private parseTerm(inValuePath: boolean): FilterNode {
    this.skipWs();
    const start = this.pos;
    if (this.peek() === LPAREN) {
      this.pos++;
      this.enter(start);
      const inner = this.parseExpression(inValuePath);
      this.expectChar(RPAREN, `"and", "or" or ")"`);
      this.depth--;
      return inner;
    }
    if (this.matchKeyword('not')) {
      this.skipWs();
      if (this.peek() === LPAREN) {
        this.pos++;
        this.enter(start);
        const inner = this.parseExpression(inValuePath);
        this.expectChar(RPAREN, `"and", "or" or ")"`);
        this.depth--;
        return { kind: 'not', filter: inner };
      }
      // `not` followed by an operator is an attribute that happens to be called "not"
      const after = this.pos;
      const next = this.readWord().toLowerCase();
      this.pos = after;
      if (next !== 'pr' && !(COMPARE_OPS as readonly string[]).includes(next)) this.fail(after, '"(" after "not"');
      this.pos = start;
    }
    return this.parseAttrExpression(inValuePath);
  }

  private parseAttrExpression(inValuePath: boolean): FilterNode {
    this.skipWs();
    const start = this.pos;
    const word = this.readWord();
    if (word === '') this.fail(start, 'an attribute name, "not" or "("');
    const path = this.toAttrPath(word, start);
    if (inValuePath && path.uri !== undefined) {
      throw this.error(
        `Attribute paths inside "[...]" are relative to the element and cannot carry a schema URN (position ${start})`,
      );
    }
    if (this.peek() === LBRACKET) {
      const bracket = this.pos;
      if (inValuePath) throw this.error(`A value filter cannot contain another value filter (position ${bracket})`);
      if (path.subAttribute !== undefined) {
        throw this.error(`A value filter "[...]" must follow an attribute, not a sub-attribute (position ${bracket})`);
      }
      const filter = this.parseValueFilter();
      if (this.peek() === DOT) {
        // Entra: `emails[type eq "work"].value eq "x"` → `emails[type eq "work" and value eq "x"]`
        this.pos++;
        const subStart = this.pos;
        const sub = this.readName();
        if (sub === '') this.fail(subStart, 'a sub-attribute name after "]."');
        const tail = this.parseOperation({ attribute: sub });
        return { kind: 'valuePath', path, filter: { kind: 'and', left: filter, right: tail } };
      }
      return { kind: 'valuePath', path, filter };
    }
    return this.parseOperation(path);
  }

  /** `[valFilter]` at pos (which is at "["); returns the inner filter, pos after "]". */
  parseValueFilter(): FilterNode {
    const bracket = this.pos;
    this.pos++;
    this.enter(bracket);
    const filter = this.parseExpression(true);
    this.expectChar(RBRACKET, '"and", "or" or "]"');
    this.depth--;
    return filter;
  }

  /** After an attribute path: `pr`, or a comparison operator and a value. */
  private parseOperation(path: AttrPath): FilterNode {
    this.skipWs();
    const opStart = this.pos;
    const word = this.readWord();
    const op = word.length === 2 ? word.toLowerCase() : '';
    if (op === 'pr') return { kind: 'present', path };
    if (!(COMPARE_OPS as readonly string[]).includes(op)) this.fail(opStart, OPERATOR_LIST);
    this.skipWs();
    const valueStart = this.pos;
    const value = this.parseValue();
    if (typeof value === 'boolean' || value === null) {
      if (op !== 'eq' && op !== 'ne') {
        throw this.error(
          `The operator "${op}" cannot compare with ${String(value)} (position ${valueStart}); ` +
            'only eq and ne apply to true, false and null',
        );
      }
    }
    return { kind: 'compare', path, op: op as CompareOp, value };
  }

  private parseValue(): FilterValue {
    const src = this.src;
    const start = this.pos;
    if (this.peek() === QUOTE) return this.parseString();
    // A bare token: up to whitespace or a delimiter.
    let p = start;
    while (p < src.length) {
      const c = src.charCodeAt(p);
      if (isWs(c) || c === LPAREN || c === RPAREN || c === LBRACKET || c === RBRACKET || c === QUOTE) break;
      p++;
    }
    if (p === start) this.fail(start, VALUE_LIST);
    this.pos = p;
    const token = src.slice(start, p);
    const lower = token.length <= 5 ? token.toLowerCase() : '';
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    if (lower === 'null') return null;
    if (isJsonNumber(token)) {
      const n = Number(token);
      if (!Number.isFinite(n)) throw this.error(`The number ${token} at position ${start} is out of range`);
      return n;
    }
    return token; // lenient: an unquoted string (Entra documents `externalId eq jyoung`)
  }

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

  private badName(name: string, pos: number): never {
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
function isJsonNumber(s: string): boolean {
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
