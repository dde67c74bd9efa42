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
import { InvalidFilterError } from '#scim/errors.ts';
import { FilterScanner, isJsonNumber, isWs } from '#scim/filter-scanner.ts';
import { countStrings, shapeOfText, withLiterals } from '#scim/filter-shape.ts';

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
  // Trees are memoised by shape (filter-shape.ts) for the default depth limit, which every
  // shape in the memo was parsed under.
  const textShape = options.maxDepth === undefined ? shapeOfText(text) : undefined;
  if (textShape !== undefined) {
    const shape = filterShapes.get(textShape.key);
    if (shape !== undefined) {
      const node = textShape.literals ? withLiterals(shape.template, textShape.literals, { next: 0 }) : shape.template;
      lastParsed = { node, shape };
      return node;
    }
  }
  const parser = new FilterParser(text, 'filter', options.maxDepth ?? MAX_FILTER_DEPTH);
  parser.skipWs();
  if (parser.atEnd()) throw new InvalidFilterError('The filter is empty');
  const node = parser.parseExpression(false);
  parser.skipWs();
  if (!parser.atEnd()) parser.fail(parser.pos, '"and", "or" or the end of the filter');
  if (textShape !== undefined && countStrings(node) === (textShape.literals?.length ?? 0)) {
    const shape: FilterShape = { template: node, compiled: new WeakMap() };
    if (filterShapes.size >= SHAPE_LIMIT) filterShapes.clear();
    filterShapes.set(textShape.key, shape);
    lastParsed = { node, shape };
  }
  return node;
}

/** A filter shape: the tree of its first text, and what filter-eval.ts compiled from it. */
export interface FilterShape {
  /** Never modified, and only handed out for a text without quoted strings. */
  readonly template: FilterNode;
  /** Compiled templates by look-up function (filter-eval.ts). */
  readonly compiled: WeakMap<object, unknown>;
}

const filterShapes = new Map<string, FilterShape>();
/** Filters are client text, so the memo is bounded: when full it starts over. */
const SHAPE_LIMIT = 1024;
/** The tree parseFilter returned last, and its shape. */
let lastParsed: { node: FilterNode; shape: FilterShape } | undefined;

/**
 * The shape of `node` when it is the tree parseFilter returned last (the directory parses a
 * filter, then compiles it), so compiling it needs no walk over the tree to find its shape.
 */
export function shapeOfParsed(node: FilterNode): FilterShape | undefined {
  return lastParsed !== undefined && lastParsed.node === node ? lastParsed.shape : undefined;
}

export const COMPARE_OPS: readonly CompareOp[] = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'];
const OPERATOR_LIST = 'a comparison operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr)';
const VALUE_LIST = 'a value (a quoted string, a number, true, false or null)';

const QUOTE = 34,
  LPAREN = 40,
  RPAREN = 41,
  LBRACKET = 91,
  RBRACKET = 93,
  DOT = 46;

/**
 * The recursive-descent parser shared by {@link parseFilter} and `parsePatchPath` (path.ts), over
 * the scanner of filter-scanner.ts. `kind` picks the error class and the noun used in details.
 */
export class FilterParser extends FilterScanner {
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
}

export { isAttrName } from '#scim/filter-scanner.ts';
