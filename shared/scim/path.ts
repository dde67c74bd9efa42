// PATCH `path` parser (RFC 7644 §3.5.2): PATH = attrPath / valuePath [subAttr], with the
// attribute path optionally URN-qualified. Shares the scanner and the filter grammar with
// filter.ts, so `members[value eq "x"]` parses exactly as the same text would in a filter; every
// error here is an InvalidPathError (scimType invalidPath), including errors inside "[...]".

import type { PatchPath } from '#scim/ast.ts';
import { InvalidPathError } from '#scim/errors.ts';
import { FilterParser, MAX_FILTER_DEPTH } from '#scim/filter.ts';

export const MAX_PATH_LENGTH = 4096;

/**
 * Parses `attr`, `attr.sub`, `urn:…:attr`, `urn:…:attr.sub`, `attr[filter]`, `attr[filter].sub`
 * and `urn:…:attr[filter].sub`. A bare schema URN (`urn:…:enterprise:2.0:User`) parses as
 * `{ uri: 'urn:…:enterprise:2.0', attribute: 'User' }`; the PATCH engine recognises it as
 * "the whole extension", since only the schema registry knows which URNs are schemas.
 */
export function parsePatchPath(text: string): PatchPath {
  if (typeof text !== 'string') throw new InvalidPathError('The path must be a string');
  if (text.length > MAX_PATH_LENGTH) {
    throw new InvalidPathError(`The path is ${text.length} characters long; at most ${MAX_PATH_LENGTH} are accepted`);
  }
  const parser = new FilterParser(text, 'path', MAX_FILTER_DEPTH);
  parser.skipWs();
  const start = parser.pos;
  const word = parser.readWord();
  if (word === '') {
    if (parser.atEnd()) throw new InvalidPathError('The path is empty');
    parser.fail(start, 'an attribute name');
  }
  const path = parser.toAttrPath(word, start);
  const result: PatchPath = { path };
  if (parser.peek() === 91 /* [ */) {
    if (path.subAttribute !== undefined) {
      throw new InvalidPathError(
        `A value filter "[...]" must follow an attribute, not a sub-attribute (position ${parser.pos})`,
      );
    }
    result.filter = parser.parseValueFilter();
    if (parser.peek() === 46 /* . */) {
      parser.pos++;
      const subStart = parser.pos;
      const sub = parser.readName();
      if (sub === '') parser.fail(subStart, 'a sub-attribute name after "]."');
      result.subAttribute = sub;
    }
  }
  parser.skipWs();
  if (!parser.atEnd()) {
    const expected =
      result.subAttribute !== undefined
        ? 'the end of the path'
        : result.filter
          ? '"." and a sub-attribute name, or the end of the path'
          : '"[" or the end of the path';
    parser.fail(parser.pos, expected);
  }
  return result;
}
