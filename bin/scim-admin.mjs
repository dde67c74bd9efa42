#!/usr/bin/env node
// The `scim-admin` bin entry. In this repository it runs the TypeScript CLI through tsx; in the
// published package, which ships no .ts sources, the compiled one in dist/ (npm run build).
import { existsSync } from 'node:fs';

const source = new URL('./admin.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import(new URL('../dist/bin/admin.js', import.meta.url).href);
}
