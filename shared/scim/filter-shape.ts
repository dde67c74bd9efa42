// Shapes of filter and path texts, for the memos of parsed trees (filter.ts, patch-target.ts):
// the text with the contents of its quoted strings left out, and those contents. Clients send a
// few shapes with ever new values (`userName eq "<each user>"`, `members[value eq "<id>"]`), so a
// tree parsed once per shape is copied with the new literals instead of parsed again.
//
// In both grammars a `"` only ever opens a string value, so two texts of one shape parse to the
// same tree but for the values of their quoted strings, taken in text order, which is tree order.
// Strings with escapes are left to the parser (undefined here); a tree whose string values did
// not all come from quotes (bare values such as `externalId eq jyoung`) must not be shared, which
// `countStrings` lets the caller check.

import type { FilterNode } from '#scim/ast.ts';

const QUOTE = 34;
const BACKSLASH = 92;

export interface TextShape {
  key: string;
  /** The contents of the quoted strings, in text order; undefined when there are none. */
  literals: string[] | undefined;
}

/** The shape of `text`, or undefined when a quoted string has an escape or is not closed. */
export function shapeOfText(text: string): TextShape | undefined {
  let quote = text.indexOf('"');
  if (quote < 0) return { key: text, literals: undefined };
  const literals: string[] = [];
  let key = '';
  let from = 0;
  while (quote >= 0) {
    let end = quote + 1;
    for (;;) {
      if (end >= text.length) return undefined;
      const c = text.charCodeAt(end);
      if (c === QUOTE) break;
      if (c === BACKSLASH) return undefined;
      end++;
    }
    key += text.slice(from, quote + 1);
    literals.push(text.slice(quote + 1, end));
    from = end;
    quote = text.indexOf('"', end + 1);
  }
  return { key: key + text.slice(from), literals };
}

export function sameStrings(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** How many comparisons of `node` have a string value. */
export function countStrings(node: FilterNode): number {
  switch (node.kind) {
    case 'compare':
      return typeof node.value === 'string' ? 1 : 0;
    case 'present':
      return 0;
    case 'and':
    case 'or':
      return countStrings(node.left) + countStrings(node.right);
    case 'not':
    case 'valuePath':
      return countStrings(node.filter);
  }
}

/**
 * A copy of `node` whose string values are `literals`, in tree order from `at.next`. Nodes are new
 * objects; attribute paths are shared (trees are never modified once parsed).
 */
export function withLiterals(node: FilterNode, literals: readonly string[], at: { next: number }): FilterNode {
  switch (node.kind) {
    case 'compare': {
      const value = typeof node.value === 'string' ? literals[at.next++]! : node.value;
      return { kind: 'compare', path: node.path, op: node.op, value };
    }
    case 'present':
      return { kind: 'present', path: node.path };
    case 'and':
    case 'or': {
      const left = withLiterals(node.left, literals, at);
      return { kind: node.kind, left, right: withLiterals(node.right, literals, at) };
    }
    case 'not':
      return { kind: 'not', filter: withLiterals(node.filter, literals, at) };
    case 'valuePath':
      return { kind: 'valuePath', path: node.path, filter: withLiterals(node.filter, literals, at) };
  }
}
