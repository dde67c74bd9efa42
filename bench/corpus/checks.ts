// Readers for the PATCH checks: they never throw on a resource of the wrong shape (a wrong answer
// must show up as a failed check, not as an exception blamed on the engine).

import { ENTERPRISE } from './resources.ts';
import type { Json, Resource } from './types.ts';

export const op = (o: Record<string, Json>) => o;
export const list = (r: Resource, key: string) => (Array.isArray(r[key]) ? (r[key] as Resource[]) : []);
export const emails = (r: Resource) => list(r, 'emails');
export const members = (r: Resource) => list(r, 'members').map((m) => m.value);
export const obj = (r: Resource, key: string) => (r[key] ?? {}) as Resource;
export const ext = (r: Resource) => obj(r, ENTERPRISE);
export const sameSet = (a: unknown[], b: string[]) => a.length === b.length && b.every((x) => a.includes(x));
/** true for even variants: boolean-valued cases alternate. */
export const even = (i: number) => i % 2 === 0;
