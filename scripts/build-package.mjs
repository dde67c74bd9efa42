// `npm run build` (and `npm pack` / `npm publish` through prepack): compiles what the published
// package ships (tsconfig.build.json) to JavaScript + .d.ts in dist/, so a consumer runs it with
// plain Node. Run with tsx (package.json), which lets it bundle the console's script from source.
//
// The sources import each other as `#scim/errors.ts` (package.json "imports") and `./x.ts`. tsc
// rewrites only the relative ones (rewriteRelativeImportExtensions); a `#...ts` specifier left in
// dist would point Node at a .ts source. So this script emits through the TypeScript API with one
// transformer that turns every project-internal specifier into a relative `.js` path, in the
// JavaScript and in the declarations alike. dist/ then never uses the "imports" map, which keeps
// pointing at the sources for tsx, vitest, tsc and esbuild in the repository (no custom condition
// or flag needed there).
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

const host = {
  ...ts.sys,
  onUnRecoverableConfigFileDiagnostic: (d) => fail([d]),
};
const config = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.build.json'), {}, host);
if (config.errors.length) fail(config.errors);
const { outDir, rootDir } = config.options;

/** `#scim/errors.ts` -> the absolute source path, through package.json "imports" (`#x/*` patterns). */
function resolveSubpath(specifier) {
  for (const [key, target] of Object.entries(pkg.imports ?? {})) {
    if (typeof target !== 'string') throw new Error(`build: "imports" entry ${key} must be a plain path`);
    const star = key.indexOf('*');
    if (star < 0) {
      if (specifier === key) return resolve(root, target);
      continue;
    }
    const prefix = key.slice(0, star);
    const suffix = key.slice(star + 1);
    if (specifier.startsWith(prefix) && specifier.endsWith(suffix) && specifier.length >= key.length - 1) {
      const matched = specifier.slice(prefix.length, specifier.length - suffix.length);
      return resolve(root, target.replace('*', matched));
    }
  }
  throw new Error(`build: ${specifier} matches no "imports" entry in package.json`);
}

/** The specifier as dist/ needs it, seen from the source file `fromFile`. */
function rewrite(specifier, fromFile) {
  let spec = specifier;
  if (spec.startsWith('#')) {
    const target = resolveSubpath(spec);
    spec = relative(dirname(fromFile), target).split(sep).join('/');
    if (!spec.startsWith('.')) spec = `./${spec}`;
  }
  if (spec.startsWith('.') && /\.[mc]?ts$/.test(spec) && !spec.endsWith('.d.ts')) {
    spec = spec.replace(/\.([mc]?)ts$/, '.$1js');
  }
  return spec;
}

/** Declaration transforms see the .d.ts path in dist/; map it back to its source's folder. */
function sourcePathOf(fileName) {
  const abs = resolve(fileName);
  if (abs.startsWith(outDir + sep)) return join(rootDir, relative(outDir, abs)).replace(/\.d\.ts$/, '.ts');
  return abs;
}

/** @type {ts.TransformerFactory<ts.SourceFile | ts.Bundle>} */
const rewriteSpecifiers = (context) => {
  const { factory } = context;
  return (file) => {
    if (!ts.isSourceFile(file)) return file;
    const from = sourcePathOf(file.fileName);
    const literal = (node) => factory.createStringLiteral(rewrite(node.text, from));
    const visit = (node) => {
      if (
        (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
        node.moduleSpecifier &&
        ts.isStringLiteral(node.moduleSpecifier)
      ) {
        return ts.isImportDeclaration(node)
          ? factory.updateImportDeclaration(
              node,
              node.modifiers,
              node.importClause,
              literal(node.moduleSpecifier),
              node.attributes,
            )
          : factory.updateExportDeclaration(
              node,
              node.modifiers,
              node.isTypeOnly,
              node.exportClause,
              literal(node.moduleSpecifier),
              node.attributes,
            );
      }
      if (
        ts.isCallExpression(node) &&
        node.expression.kind === ts.SyntaxKind.ImportKeyword &&
        node.arguments[0] &&
        ts.isStringLiteral(node.arguments[0])
      ) {
        return factory.updateCallExpression(node, node.expression, node.typeArguments, [
          literal(node.arguments[0]),
          ...node.arguments.slice(1),
        ]);
      }
      if (
        ts.isImportTypeNode(node) &&
        ts.isLiteralTypeNode(node.argument) &&
        ts.isStringLiteral(node.argument.literal)
      ) {
        return factory.updateImportTypeNode(
          node,
          factory.updateLiteralTypeNode(node.argument, literal(node.argument.literal)),
          node.attributes,
          node.qualifier,
          node.typeArguments,
          node.isTypeOf,
        );
      }
      return ts.visitEachChild(node, visit, context);
    };
    return ts.visitEachChild(file, visit, context);
  };
};

function fail(diagnostics) {
  const text = ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => root,
    getNewLine: () => '\n',
  });
  process.stderr.write(`build failed:\n${text}`);
  process.exit(1);
}

rmSync(outDir, { recursive: true, force: true });
const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });
// With noCheck, only syntax and emit problems are reported here; `npm test` type-checks the tree.
const syntax = program.getSyntacticDiagnostics();
if (syntax.length) fail(syntax);
const result = program.emit(undefined, undefined, undefined, false, {
  before: [rewriteSpecifiers],
  afterDeclarations: [rewriteSpecifiers],
});
const errors = result.diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error);
if (errors.length) fail(errors);
const emitted = program.getSourceFiles().filter((f) => !f.isDeclarationFile && !f.fileName.includes('/node_modules/'));

// Files the modules read at run time beside themselves (a stylesheet, a page): copied as they are.
const ASSETS = /\.(css|html|svg|json)$/;
let assets = 0;
for (const dir of new Set(emitted.map((f) => dirname(f.fileName)))) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isFile() || !ASSETS.test(entry.name)) continue;
    const to = join(outDir, relative(rootDir, join(dir, entry.name)));
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(join(dir, entry.name), to);
    assets += 1;
  }
}
// The console's browser script, bundled now: the published package has no esbuild to do it at start.
const { bundleUi, PREBUILT_UI } = await import('../bin/admin/console/bundle.ts');
await bundleUi(join(outDir, 'bin', 'admin', 'console', PREBUILT_UI));

console.log(`build: ${emitted.length} modules, ${assets} assets, the console's script -> ${relative(root, outDir)}/`);
