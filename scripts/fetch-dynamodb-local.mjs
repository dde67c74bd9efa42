#!/usr/bin/env node
// Fetches DynamoDB Local (the real engine, a Java jar) into .dynamodb/ from the npm registry.
// The jar ships inside the `amplify-dynamodb-simulator` package (folder emulator/); we take only
// that folder from the package tarball instead of installing its ~280 dependencies.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE = 'amplify-dynamodb-simulator@2.9.30';
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const dynamoDir = join(root, '.dynamodb');

export function ensureDynamoDbLocal() {
  if (existsSync(join(dynamoDir, 'DynamoDBLocal.jar'))) return dynamoDir;
  const work = mkdtempSync(join(tmpdir(), 'ddb-local-'));
  try {
    process.stderr.write(`Fetching DynamoDB Local from npm (${PACKAGE}) ...\n`);
    const out = execFileSync('npm', ['pack', PACKAGE, '--silent', '--pack-destination', work], {
      cwd: work,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const tarball = join(work, out.trim().split('\n').pop());
    execFileSync('tar', ['-xzf', tarball, '-C', work, 'package/emulator']);
    rmSync(dynamoDir, { recursive: true, force: true });
    mkdirSync(dirname(dynamoDir), { recursive: true });
    renameSync(join(work, 'package', 'emulator'), dynamoDir);
    if (!readdirSync(dynamoDir).includes('DynamoDBLocal.jar')) {
      throw new Error(`DynamoDBLocal.jar missing from ${PACKAGE}`);
    }
    return dynamoDir;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(ensureDynamoDbLocal());
}
