// Types and helpers of the engine corpus (see idp-requests.ts).

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Resource = { [key: string]: Json };

export const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** Whether a case follows RFC 7644 or is a client quirk the RFC does not require servers to accept. */
export type Conformance = 'rfc' | 'quirk';

interface CaseInfo {
  name: string;
  client: string;
  /** Where the shape comes from: an idp-quirks.md section, an RFC section or a client test name. */
  source: string;
  conformance: Conformance;
  resourceType: 'User' | 'Group';
}

export interface FilterVariant {
  filter: string;
  /** ids of the corpus resources the filter must match, in corpus order. */
  expected: string[];
}

export interface FilterCase extends CaseInfo {
  make(variant: number): FilterVariant;
}

export interface Check {
  what: string;
  ok: (r: Resource) => boolean;
}

export interface PatchVariant {
  /** The resource the PATCH is applied to (engines get a fresh copy). */
  resource: Resource;
  operations: Record<string, Json>[];
  /** What the patched resource must look like; each check names what it protects. */
  checks: Check[];
}

export interface PatchCase extends CaseInfo {
  make(variant: number): PatchVariant;
}

/** '' for variant 0, else a suffix no other variant has. */
export const v = (variant: number) => (variant === 0 ? '' : `-v${variant}`);

/** The last 12 hex digits of a GUID, distinct per variant. */
export const hex12 = (variant: number) => variant.toString(16).padStart(12, '0');
