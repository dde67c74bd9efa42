// The PATCH engine (RFC 7644 §3.5.2): applies add/remove/replace operations to a copy of a
// stored resource. Pure: the caller loads the resource, and writes the result and, for groups,
// the member changes. The input is never modified: the engine copies on write (the resource
// object, then each extension object, array and element it changes), so the result shares the
// values no operation touched with the input; treat both as immutable. A failing operation
// throws and nothing (result, member changes) escapes: the request is atomic.
//
// Decisions where the RFC leaves room or real clients disagree with it (idp-quirks.md §0, §8.5):
// - `op` is case-insensitive (Entra `Replace`); anything else is invalidSyntax. The keys `op`,
//   `path` and `value` are matched case-insensitively too. An empty `path` means no path.
// - Values go through attribute-values.ts normaliseAttributeValue, so PATCH and POST/PUT accept the same
//   shapes: "True"/"False" for booleans (Entra), a bare string or a one-element array for a
//   single complex value (Entra `manager`), an object where an array belongs (OneLogin `emails`),
//   numbers for strings. readOnly sub-attributes inside a value (manager.displayName) are dropped.
// - JSON null (or an empty array/object) as a value means "absent": `replace` with it removes the
//   target, `add` with it does nothing.
// - readOnly attributes: a path that names one (`id`, `meta.created`, `groups`) is a mutability
//   error, as RFC 7644 §3.5.2 says. Inside a no-path value they are ignored instead, as RFC 7644
//   §3.5.1 has PUT do, because clients echo what they read: Okta sends the group's own `id` with
//   every rename, Entra and Okta echo `meta` and `groups`. An `id` that differs from the
//   resource's own is still a mutability error, since that is a client trying to change it.
//   `schemas` in a no-path value is ignored; the engine maintains it.
// - immutable attributes may be set when unset and "set" to their current value; any other
//   change, or a removal, is a mutability error. Removing (or nulling) a required attribute is a
//   mutability error (RFC 7644 §3.5.2).
// - Unknown attributes (paths the registry does not resolve) are ignored and listed in `ignored`,
//   never a 400, like resource.ts does for POST/PUT: an IdP mapping an attribute this deployment
//   does not declare must not break provisioning of everything else.
// - `add` on a multi-valued attribute appends values not already present (deep-equal; group
//   `members` by `value`); `add` on a complex attribute merges sub-attributes; `add` on a
//   single-valued attribute replaces. `replace` on a complex single-valued attribute merges too
//   (RFC 7644 §3.5.2.3: "sub-attributes that are not specified … are left unchanged").
// - A filtered path (`emails[type eq "work"].value`) that matches nothing: `add`/`replace` create
//   the element when the filter is an `eq` chain joined by `and` (Entra, Okta), filled with those
//   equalities, so later operations of the same request find and extend it; any other filter is
//   noTarget, as RFC 7644 §3.5.2.3 demands for replace. `remove` with no match is a no-op (the
//   RFC asks noTarget only for a remove without path; retried removals must stay idempotent).
// - `replace` of a filtered element without sub-attribute replaces the element, keeping the
//   filter's equalities (`emails[type eq "work"]` ← `{value}` keeps `type: "work"`).
// - `remove` of a filtered sub-attribute (`emails[type eq "work"].value`) drops the element when
//   nothing but the filter's own equalities is left in it.
// - `remove` with a value on a multi-valued attribute removes only the elements that match every
//   sub-attribute given (Entra `{"op":"Remove","path":"members","value":[{"value":"id"}]}`);
//   without a value it removes them all.
// - Setting `primary: true` on an element clears it on the others (RFC 7643 §2.4): the element
//   written last in an operation wins.
// - A whole extension is addressable by its URN as a path or a no-path key; `urn:…:User:attr`
//   keys and dotted keys (`name.givenName`) in no-path values are expanded (Entra with
//   aadOptscim062020, Okta). Extension objects left empty are removed, and `schemas` lists the
//   extensions present.
// - `password` (writeOnly) never stays in the resource: a PATCH that sets it returns it apart.
// - With `membersAsChanges` (groups, whose members the store keeps as separate items) `members`
//   is never read or written in the resource: operations on it become `memberChanges`, net of
//   each other in request order. `replace` = remove all + add. `members[value eq "x"]` (also
//   or-chains of them) selects members; other member filters need the member list, which this
//   engine does not have, so they are an invalidFilter error.
//
// Files, one per seam: this one (the API, operation parsing, error context), patch-target.ts
// (paths parsed and resolved against the schema, memoised by shape), patch-values.ts (value
// coercion, immutability, one primary), patch-members.ts (member change sets), patch-apply.ts
// (the Patcher: operations applied copy on write) and patch-filtered.ts (`attr[filter]` paths).

import { findKey } from '#scim/attribute-access.ts';
import {
  InvalidFilterError,
  InvalidPathError,
  InvalidSyntaxError,
  InvalidValueError,
  MutabilityError,
  NoTargetError,
  ScimError,
  type ScimType,
  TooManyError,
} from '#scim/errors.ts';
import { isObject, nestsDeeper, show, type JsonObject } from '#scim/json.ts';
import { Patcher, type Operation } from '#scim/patch-apply.ts';
import type { MemberChanges } from '#scim/patch-members.ts';
import { parsePath, type Op } from '#scim/patch-target.ts';
import type { ResourceTypeName, SchemaRegistry } from '#scim/schema/registry.ts';

export type { Member, MemberChanges } from '#scim/patch-members.ts';

export const MAX_PATCH_OPERATIONS = 1000;
/**
 * SCIM values nest at most three levels (a multi-valued complex attribute in an extension
 * object); anything deeper is refused before it reaches code that recurses over it.
 */
export const MAX_VALUE_DEPTH = 16;

export interface PatchOptions {
  registry: SchemaRegistry;
  resourceType: ResourceTypeName;
  /** Groups: report `members` operations as {@link MemberChanges} instead of editing `resource.members`. */
  membersAsChanges?: boolean;
  /** Default {@link MAX_PATCH_OPERATIONS}. */
  maxOperations?: number;
}

export interface PatchResult {
  /** A new object. The input is never modified; values no operation touched are shared with it. */
  resource: JsonObject;
  /** With `membersAsChanges`, when at least one operation addressed `members`; else undefined. */
  memberChanges?: MemberChanges;
  /** The new password, when an operation set one (it is never left in `resource`). */
  password?: string;
  /** Whether `resource` differs from the input (member changes not counted). */
  changed: boolean;
  /** Paths that named no known attribute and were ignored (for logging). */
  ignored: string[];
}

/**
 * Applies PATCH `operations` (the `Operations` array of a PatchOp body) to `resource`.
 * Throws only ScimErrors, each naming the operation (`Operations[2] (replace "title"): …`).
 */
export function applyPatch(resource: JsonObject, operations: unknown, options: PatchOptions): PatchResult {
  const max = options.maxOperations ?? MAX_PATCH_OPERATIONS;
  if (!Array.isArray(operations)) {
    throw new InvalidSyntaxError('"Operations" must be an array of operations (RFC 7644 §3.5.2)');
  }
  if (operations.length > max) {
    throw new TooManyError(`The request has ${operations.length} operations; at most ${max} are accepted per PATCH`);
  }
  // Every operation is checked before any is applied: a malformed one fails the request whatever
  // comes before it.
  const parsed: Operation[] = new Array(operations.length);
  for (let i = 0; i < operations.length; i++) {
    try {
      parsed[i] = parseOperation(operations[i]);
    } catch (error) {
      throw withContext(error, i, undefined);
    }
  }
  const patcher = new Patcher(resource, options);
  for (let i = 0; i < parsed.length; i++) {
    const op = parsed[i]!;
    try {
      patcher.apply(op);
    } catch (error) {
      throw withContext(error, i, op);
    }
  }
  return patcher.finish();
}

// ---- operation parsing --------------------------------------------------------------------------

function parseOperation(raw: unknown): Operation {
  if (!isObject(raw)) throw new InvalidSyntaxError('Each operation must be an object with "op", "path" and "value"');
  // The keys as clients write them nearly always; else the first equal ignoring case (Entra `Op`).
  const opKey = Object.hasOwn(raw, 'op') ? 'op' : findKey(raw, 'op');
  const pathKey = Object.hasOwn(raw, 'path') ? 'path' : findKey(raw, 'path');
  const valueKey = Object.hasOwn(raw, 'value') ? 'value' : findKey(raw, 'value');
  const opValue = opKey === undefined ? undefined : raw[opKey];
  const op = opName(opValue);
  if (op === undefined) {
    throw new InvalidSyntaxError(
      `"op" must be "add", "remove" or "replace", got ${opValue === undefined ? 'nothing' : show(opValue)}`,
    );
  }
  const pathValue = pathKey === undefined ? undefined : raw[pathKey];
  let pathText: string | undefined;
  if (pathValue !== undefined && pathValue !== null) {
    if (typeof pathValue !== 'string') throw new InvalidPathError(`"path" must be a string, got ${show(pathValue)}`);
    if (!isBlank(pathValue)) pathText = pathValue;
  }
  const hasValue = valueKey !== undefined;
  if (!hasValue && op !== 'remove') throw new InvalidValueError(`An "${op}" operation needs a "value"`);
  const value = hasValue ? raw[valueKey] : undefined;
  if (typeof value === 'object' && value !== null && nestsDeeper(value, MAX_VALUE_DEPTH)) {
    throw new InvalidValueError(`The value nests deeper than ${MAX_VALUE_DEPTH} levels`);
  }
  return {
    op,
    pathText,
    path: pathText === undefined ? undefined : parsePath(pathText),
    hasValue,
    value,
  };
}

/** `op` lower-cased when it is add, remove or replace (Entra sends `Replace`); else undefined. */
function opName(value: unknown): Op | undefined {
  if (value === 'add' || value === 'remove' || value === 'replace') return value;
  if (typeof value !== 'string') return undefined;
  const lower = value.toLowerCase();
  return lower === 'add' || lower === 'remove' || lower === 'replace' ? lower : undefined;
}

/** `text.trim() === ''`, without the trimmed copy for the usual path that starts with a letter. */
function isBlank(text: string): boolean {
  const c = text.charCodeAt(0);
  if (c > 32 && c < 127) return false;
  return text.trim() === '';
}

const ERRORS: Partial<Record<ScimType, new (detail: string) => ScimError>> = {
  invalidFilter: InvalidFilterError,
  invalidPath: InvalidPathError,
  invalidSyntax: InvalidSyntaxError,
  invalidValue: InvalidValueError,
  mutability: MutabilityError,
  noTarget: NoTargetError,
  tooMany: TooManyError,
};

/** The error to throw: a 400 ScimError with the operation it came from prefixed to its detail. */
function withContext(error: unknown, index: number, op: Operation | undefined): unknown {
  if (error instanceof ScimError && error.scimType !== undefined) {
    const Ctor = ERRORS[error.scimType];
    const what = op ? ` (${op.op}${op.pathText !== undefined ? ` ${JSON.stringify(op.pathText)}` : ''})` : '';
    if (Ctor) return new Ctor(`Operations[${index}]${what}: ${error.detail}`);
  }
  return error;
}
