// The console's browser code: one script and one stylesheet, served from memory. Nothing is
// fetched at run time. In the repository the script is bundled by esbuild when the console starts
// (about a tenth of a second); the published package, which has no esbuild, ships it pre-built
// (ui.bundle.js beside this module, written by scripts/build-package.mjs).
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const UI = new URL('./ui/', import.meta.url);
/** The pre-built script's file name, beside this module (scripts/build-package.mjs writes it). */
export const PREBUILT_UI = 'ui.bundle.js';

export interface UiBundle {
  js: string;
  css: string;
}

async function prebuilt(): Promise<string | undefined> {
  try {
    return await readFile(new URL(`./${PREBUILT_UI}`, import.meta.url), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Bundles the console's script from its sources (`outfile`: write it there instead of returning it). */
export async function bundleUi(outfile?: string): Promise<string> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [fileURLToPath(new URL('main.ts', UI))],
    bundle: true,
    write: outfile !== undefined,
    ...(outfile !== undefined ? { outfile } : {}),
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  return outfile !== undefined ? '' : result.outputFiles![0]!.text;
}

export async function buildUi(): Promise<UiBundle> {
  const [js, css] = await Promise.all([
    prebuilt().then((text) => text ?? bundleUi()),
    readFile(new URL('styles.css', UI), 'utf8'),
  ]);
  return { js, css };
}
