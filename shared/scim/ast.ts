// Syntax trees shared by the filter parser, the PATCH path parser, the filter evaluator, the
// PATCH engine and the query planner. Names are kept as the client wrote them; resolution against
// the schema (case-insensitive, URN-qualified) happens where a schema is at hand.

/** `urn:...:User:name.givenName` → { uri: 'urn:...:User', attribute: 'name', subAttribute: 'givenName' } */
export interface AttrPath {
  uri?: string;
  attribute: string;
  subAttribute?: string;
}

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';

export type FilterValue = string | number | boolean | null;

export type FilterNode =
  | { kind: 'compare'; path: AttrPath; op: CompareOp; value: FilterValue }
  | { kind: 'present'; path: AttrPath }
  | { kind: 'and'; left: FilterNode; right: FilterNode }
  | { kind: 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; filter: FilterNode }
  /** `emails[type eq "work" and value co "@x"]`: inner paths are relative to each element. */
  | { kind: 'valuePath'; path: AttrPath; filter: FilterNode };

/** A PATCH `path` (RFC 7644 §3.5.2): `attrPath`, or `attrPath[valFilter]` optionally followed by `.subAttr`. */
export interface PatchPath {
  path: AttrPath;
  filter?: FilterNode;
  /** Only with `filter`: `emails[type eq "work"].value`. */
  subAttribute?: string;
}
