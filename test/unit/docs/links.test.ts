// Every relative link in the README and docs/ must point at a file or folder of this repository, and
// every `#anchor` at a heading that exists (GitHub's slug rules). The README stays a short map.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const README_MAX_LINES = 220;

/** README.md, CONTRIBUTING.md and CHANGELOG.md when present, and every docs/**\/*.md. */
function markdownFiles(): string[] {
  const files = ['README.md', 'CONTRIBUTING.md', 'CHANGELOG.md']
    .map((name) => path.join(REPO_ROOT, name))
    .filter((file) => existsSync(file));
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && entry.name.endsWith('.md')) files.push(full);
    }
  };
  const docs = path.join(REPO_ROOT, 'docs');
  if (existsSync(docs)) walk(docs);
  return files;
}

/** A fenced code block: from an opening fence to the next fence of the same indent and kind. */
const FENCED_BLOCK = /^([ \t]*)(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1\2[ \t]*$/gm;

/** The text without fenced code blocks and inline code spans, where `](x)` is not a link. */
function withoutCode(markdown: string): string {
  return markdown.replace(FENCED_BLOCK, '').replace(/(`+)[\s\S]*?\1/g, '');
}

/** Link and image targets: `[text](target "title")`, `![alt](<target>)` and `[ref]: target`. */
function linkTargets(markdown: string): string[] {
  const text = withoutCode(markdown);
  const targets: string[] = [];
  for (const match of text.matchAll(/\]\(\s*(<[^>]*>|[^)\s]*)/g)) targets.push(match[1] ?? '');
  for (const match of text.matchAll(/^\s{0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/gm)) targets.push(match[1] ?? '');
  return targets.map((target) => target.replace(/^<(.*)>$/, '$1').trim());
}

/** GitHub's heading anchors: lower case, punctuation dropped (not `-` or `_`), spaces → `-`, `-1` for repeats. */
function headingSlugs(markdown: string): Set<string> {
  const slugs = new Set<string>();
  const seen = new Map<string, number>();
  const stripped = markdown.replace(FENCED_BLOCK, '');
  for (const match of stripped.matchAll(/^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const text = (match[1] ?? '')
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // a link in a heading: its text
      .replace(/<[^>]+>/g, '');
    const base = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    slugs.add(count === 0 ? base : `${base}-${count}`);
  }
  return slugs;
}

const EXTERNAL = /^[a-z][a-z0-9+.-]*:/i; // http:, https:, mailto:, ...

/** What is wrong with each link of one markdown file (empty when all resolve). */
function brokenLinks(file: string): string[] {
  const markdown = readFileSync(file, 'utf8');
  const problems: string[] = [];
  for (const target of linkTargets(markdown)) {
    if (!target) {
      problems.push('(empty link target)');
      continue;
    }
    if (EXTERNAL.test(target)) continue;
    const hashAt = target.indexOf('#');
    const pathPart = decodeURI(hashAt === -1 ? target : target.slice(0, hashAt));
    const anchor = hashAt === -1 ? undefined : decodeURIComponent(target.slice(hashAt + 1));

    let resolved = file;
    if (pathPart) {
      resolved = pathPart.startsWith('/')
        ? path.join(REPO_ROOT, pathPart) // GitHub resolves `/x` from the repository root
        : path.resolve(path.dirname(file), pathPart);
      const fromRoot = path.relative(REPO_ROOT, resolved);
      if (fromRoot.startsWith('..') || path.isAbsolute(fromRoot)) {
        problems.push(`${target}: points outside the repository (${resolved})`);
        continue;
      }
      if (!existsSync(resolved)) {
        problems.push(`${target}: ${fromRoot || '.'} does not exist`);
        continue;
      }
    }
    if (anchor !== undefined && resolved.endsWith('.md')) {
      const slugs = headingSlugs(readFileSync(resolved, 'utf8'));
      if (!slugs.has(anchor.toLowerCase())) {
        problems.push(`${target}: no heading #${anchor} in ${path.relative(REPO_ROOT, resolved)}`);
      }
    }
  }
  return problems;
}

describe('markdown links resolve inside the repository', () => {
  const files = markdownFiles();

  it('finds the README and the docs', () => {
    expect(files.map((f) => path.relative(REPO_ROOT, f))).toContain('README.md');
  });

  for (const file of files) {
    const name = path.relative(REPO_ROOT, file).split(path.sep).join('/');
    it(name, () => {
      const problems = brokenLinks(file);
      expect(problems, `broken links in ${name}:\n  ${problems.join('\n  ')}`).toEqual([]);
    });
  }
});

describe('README', () => {
  it(`has at most ${README_MAX_LINES} lines (details belong in docs/)`, () => {
    const lines = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8').replace(/\n$/, '').split('\n').length;
    expect(lines, `README.md has ${lines} lines`).toBeLessThanOrEqual(README_MAX_LINES);
  });
});

describe('the link checker itself', () => {
  it('slugs headings as GitHub does', () => {
    const slugs = headingSlugs(
      '# Tokens: issue, connect, rotate, revoke\n## `aadOptscim062020`: both modes work\n## A\n## A\n',
    );
    expect([...slugs]).toEqual(['tokens-issue-connect-rotate-revoke', 'aadoptscim062020-both-modes-work', 'a', 'a-1']);
  });

  it('ignores links inside code and reads titles, angle brackets and references', () => {
    const targets = linkTargets('[a](x.md "t") ![b](<y z.png>) `[c](nope)`\n```\n[d](nope)\n```\n[e]: ref.md\n');
    expect(targets).toEqual(['x.md', 'y z.png', 'ref.md']);
  });

  it('keeps the headings between two code blocks', () => {
    const slugs = headingSlugs('text\n\n```sh\n# a comment\n```\n\n## Between\n\n```ts\nx\n```\n');
    expect([...slugs]).toEqual(['between']);
  });
});
