// The console's browser code, bundled by esbuild when the console starts (about a tenth of a
// second): one script and one stylesheet, served from memory. Nothing is fetched at run time.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const UI = new URL('./ui/', import.meta.url);

export interface UiBundle {
  js: string;
  css: string;
}

export async function buildUi(): Promise<UiBundle> {
  const [result, css] = await Promise.all([
    build({
      entryPoints: [fileURLToPath(new URL('main.ts', UI))],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      legalComments: 'none',
      logLevel: 'silent',
    }),
    readFile(new URL('styles.css', UI), 'utf8'),
  ]);
  return { js: result.outputFiles[0]!.text, css };
}
