// Where a running `npm start` can be found. The runner writes DATA_DIR/runner.json once it listens
// and removes it when it stops; the admin CLI (bin/admin/target.ts) reads it, so it needs no flags
// whatever PORT and DATA_DIR were. A runner with a DATA_DIR other than the default `.data/` also
// leaves a copy in `.data/runners/<port>.json`, where a CLI run from the same folder without
// DATA_DIR looks. A record whose process has gone (killed, crashed) is ignored.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** `npm start`'s data folder when DATA_DIR is not set, relative to the folder it runs in. */
export const DEFAULT_DATA_DIR = '.data';
export const RUNNER_FILE = 'runner.json';
export const ADMIN_KEY_FILE = 'admin-key';
const POINTERS = 'runners';

export interface RunnerRecord {
  /** Base URL of the local API, e.g. `http://localhost:8080`. */
  url: string;
  pid: number;
  /** Absolute DATA_DIR of the runner. */
  dataDir: string;
  /** The file holding the admin key, or `env` when the runner took ADMIN_KEY from its environment. */
  adminKey: { file: string } | { env: 'ADMIN_KEY' };
  startedAt: string;
}

export const defaultDataDir = (cwd: string) => resolve(cwd, DEFAULT_DATA_DIR);

/** Records the runner; returns a function that removes what it wrote (only if still ours). */
export function writeRunnerRecord(record: RunnerRecord, cwd: string): () => void {
  const files = [join(record.dataDir, RUNNER_FILE)];
  const home = defaultDataDir(cwd);
  if (record.dataDir !== home) files.push(join(home, POINTERS, `${new URL(record.url).port}.json`));
  const text = `${JSON.stringify(record, null, 2)}\n`;
  for (const file of files) {
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, text);
  }
  return () => {
    for (const file of files) if (readRecord(file)?.pid === record.pid) rmSync(file, { force: true });
  };
}

/** The live runner recorded in `dataDir`, or why there is none. */
export function runnerIn(dataDir: string): { runner: RunnerRecord } | { missing: 'none' | 'stopped'; pid?: number } {
  const record = readRecord(join(dataDir, RUNNER_FILE));
  if (!record) return { missing: 'none' };
  return isAlive(record.pid) ? { runner: record } : { missing: 'stopped', pid: record.pid };
}

/** Live runners started from `cwd` with another DATA_DIR (their pointers in `.data/runners/`). */
export function pointedRunners(cwd: string): RunnerRecord[] {
  const dir = join(defaultDataDir(cwd), POINTERS);
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  return names.map((n) => readRecord(join(dir, n))).filter((r): r is RunnerRecord => !!r && isAlive(r.pid));
}

function readRecord(file: string): RunnerRecord | undefined {
  try {
    const record = JSON.parse(readFileSync(file, 'utf8')) as RunnerRecord;
    return typeof record.url === 'string' && Number.isInteger(record.pid) ? record : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
