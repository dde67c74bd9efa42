// Test cases stored as data (a `*.cases.json` next to the test file), and the one runner the unit
// tests share for them: an `it` per case, named after the case (and the client whose quirk it
// protects), that expects either the case's error or its value.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { ScimError } from '#scim/errors.ts';

/** The error a case expects, compared exactly with what the ScimError carries. */
export interface ExpectedError {
  status: number;
  scimType?: string;
  detail: string;
}

/** What every case has: a case with `error` expects that error, any other expects a value. */
export interface DataCase {
  name: string;
  /** The IdP known to send this shape (idp-quirks.md), when the case protects a quirk. */
  client?: string;
  expect?: unknown;
  error?: ExpectedError;
}

/** Reads a JSON file relative to the test file: `loadCases<Case[]>('./x.cases.json', import.meta.url)`. */
export function loadCases<T>(file: string, testFile: string): T {
  return JSON.parse(readFileSync(new URL(file, testFile), 'utf8')) as T;
}

/** What `fn` returns, or what it throws. */
export function attempt<R>(fn: () => R): { result?: R; error?: unknown } {
  try {
    return { result: fn() };
  } catch (error) {
    return { error };
  }
}

/** A case's test name: `client: name`, or its name alone. */
const caseName = (c: DataCase): string => (c.client ? `${c.client}: ${c.name}` : c.name);

export interface RunCasesOptions<C extends DataCase> {
  /** Runs a case: what it returns must equal the expected value; what it throws, the case's `error`. */
  run: (c: C) => unknown;
  /** The class a case's error must be an instance of (default ScimError). */
  errorType?: abstract new (...args: never[]) => ScimError;
  /** The value a case expects, when it is not in `expect`. */
  expected?: (c: C) => unknown;
  /** What running a case must leave as it was (compared as JSON before and after the run). */
  unchanged?: (c: C) => unknown;
}

/** Declares one `it` per case, in the current `describe`. */
export function runCases<C extends DataCase>(cases: readonly C[], options: RunCasesOptions<C>): void {
  const { run, errorType = ScimError, expected = (c: C) => c.expect, unchanged } = options;
  it.each(cases.map((c) => [caseName(c), c] as const))('%s', (_, c) => {
    const before = unchanged && JSON.stringify(unchanged(c));
    const { result, error } = attempt(() => run(c));
    if (unchanged) expect(JSON.stringify(unchanged(c)), 'the case modified its input').toBe(before);
    if (c.error) {
      expect(error, JSON.stringify(result)).toBeInstanceOf(errorType);
      const e = error as ScimError;
      expect({ status: e.status, scimType: e.scimType, detail: e.detail }).toEqual(c.error);
    } else {
      expect(error, String(error)).toBeUndefined();
      expect(result).toEqual(expected(c));
    }
  });
}
