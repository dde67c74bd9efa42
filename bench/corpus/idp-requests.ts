// The shared corpus for the engine side-by-side (item 5): filters and PATCH bodies that real IdPs
// send, taken from /work/shared/reference/idp-quirks.md (section numbers in `source`) and from the
// client tests in test/integration/idp/ (test names in `source`), evaluated against a small fixed
// directory (resources.ts). Each case carries the answer a correct SCIM server gives, so every
// engine, ours included, is checked before it is timed.
//
// Real traffic repeats request shapes with new values (every pre-check names another userName,
// every membership PATCH another id), so each case is a function of a variant number: variant 0
// is the request as documented, variant i > 0 the same request with values no other variant has
// (and its own expected answer). The bench checks every engine on variants 0-16 and times the
// variants after that, one new variant per iteration: no engine can win by remembering inputs.

export * from './types.ts';
export { FILTERS } from './filters.ts';
import { GROUP_PATCHES } from './group-patches.ts';
import { USER_PATCHES } from './user-patches.ts';
import { USER_QUIRK_PATCHES } from './user-quirk-patches.ts';

export const PATCHES = [...USER_PATCHES, ...USER_QUIRK_PATCHES, ...GROUP_PATCHES];
export { APP_EXTENSION, ENTERPRISE, GROUPS, USERS, corpusResource, withMembers } from './resources.ts';
