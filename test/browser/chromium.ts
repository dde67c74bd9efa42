// The system's Chromium (Debian's `chromium` package, installed by .ci/run when missing), driven by
// playwright-core: no browser is downloaded. Without it the browser tests fail in CI (CI=true) with
// a message that says what to install, and are skipped elsewhere with the same message.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_MISSING =
  'Chromium not found: the console browser tests need the system Chromium. Install it with ' +
  '`apt-get install chromium` (Debian/Ubuntu; .ci/run does this in CI) or set CHROMIUM_PATH to a Chromium binary.';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** CHROMIUM_PATH, else `chromium` / `chromium-browser` on the PATH. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.CHROMIUM_PATH) return executable(env.CHROMIUM_PATH) ? env.CHROMIUM_PATH : undefined;
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const name of ['chromium', 'chromium-browser']) {
      const candidate = join(dir, name);
      if (executable(candidate)) return candidate;
    }
  }
  return undefined;
}

export const inCi = () => process.env.CI === 'true' || process.env.CI === '1';

/** Headless Chromium; as root (CI containers) Chromium only starts without its sandbox. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error(CHROMIUM_MISSING);
  return chromium.launch({
    executablePath,
    headless: true,
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
}
