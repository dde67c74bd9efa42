// List/search parameters (RFC 7644 §3.4.2, §3.4.3, RFC 9865) from a query string or a
// SearchRequest body, with the leniency IdPs need: any casing of names, clamped numbers.
import { InvalidValueError, InvalidFilterError } from '#scim/errors.ts';
import { parseFilter } from '#scim/filter.ts';
import type { FilterNode } from '#scim/ast.ts';

export const DEFAULT_COUNT = 100;
export const MAX_COUNT = 200;

export interface ListParams {
  filter?: FilterNode;
  filterText?: string;
  startIndex: number;
  count: number;
  sortBy?: string;
  sortOrder: 'ascending' | 'descending';
  attributes?: string;
  excludedAttributes?: string;
  /** RFC 9865: present (possibly empty) when the client pages by cursor. */
  cursor?: string;
}

function lowerKeys(input: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).map(([k, v]) => [k.toLowerCase(), v]));
}

function integer(name: string, value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : Number(String(value).trim());
  if (!Number.isFinite(n) || !Number.isInteger(n))
    throw new InvalidValueError(`${name} must be an integer, got ${JSON.stringify(value)}`);
  return n;
}

function text(name: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.map((v) => text(name, v)).join(',');
  if (typeof value !== 'string') throw new InvalidValueError(`${name} must be a string`);
  return value;
}

/** Parses a filter; OneLogin sends `+` for spaces, so a filter that fails is retried with them decoded. */
export function parseFilterLenient(filter: string): FilterNode {
  try {
    return parseFilter(filter);
  } catch (error) {
    if (error instanceof InvalidFilterError && filter.includes('+')) {
      try {
        return parseFilter(filter.replace(/\+/g, ' '));
      } catch {
        /* report the original error */
      }
    }
    throw error;
  }
}

/** Lenient: a SearchRequest body without its schema URN (`schemas`) is understood all the same. */
export function parseListParams(input: Record<string, unknown>): ListParams {
  const p = lowerKeys(input);
  const filterText = text('filter', p.filter)?.trim();
  const startIndex = Math.max(1, integer('startIndex', p.startindex) ?? 1);
  const count = Math.min(MAX_COUNT, Math.max(0, integer('count', p.count) ?? DEFAULT_COUNT));
  const sortOrderText = text('sortOrder', p.sortorder)?.toLowerCase();
  if (sortOrderText && sortOrderText !== 'ascending' && sortOrderText !== 'descending') {
    throw new InvalidValueError('sortOrder must be "ascending" or "descending"');
  }
  const sortBy = text('sortBy', p.sortby)?.trim();
  const attributes = text('attributes', p.attributes);
  const excludedAttributes = text('excludedAttributes', p.excludedattributes);
  const cursor = text('cursor', p.cursor);
  return {
    ...(filterText ? { filter: parseFilterLenient(filterText), filterText } : {}),
    startIndex,
    count,
    ...(sortBy ? { sortBy } : {}),
    sortOrder: sortOrderText === 'descending' ? 'descending' : 'ascending',
    ...(attributes ? { attributes } : {}),
    ...(excludedAttributes ? { excludedAttributes } : {}),
    ...(cursor !== undefined ? { cursor } : {}),
  };
}
