// The lint step refuses imports that point up the layers (DESIGN.md, "Folders and layers"). These
// cases run the project's own ESLint config on probe files, so a config that stops refusing fails here.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function restricted(filePath: string, specifier: string): Promise<string[]> {
  const [result] = await eslint.lintText(`import { x } from '${specifier}';\nexport const y = x;\n`, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const REFUSED: Array<[file: string, specifier: string, says: RegExp]> = [
  ['functions/users/app.ts', '#infra/scim-api.ts', /must not import infra\/ or bin\//],
  ['shared/directory/service.ts', '#infra/local/server.ts', /must not import infra\/ or bin\//],
  ['shared/auth/policy.ts', '../../bin/admin/cli.ts', /must not import infra\/ or bin\//],
  ['shared/scim/patch.ts', '#store/resources.ts', /pure SCIM engine/],
  ['shared/scim/filter.ts', '#http/handler.ts', /pure SCIM engine/],
  ['shared/store/resources.ts', '#http/handler.ts', /shared\/store is the repository/],
  ['shared/store/tokens.ts', '#directory/service.ts', /shared\/store is the repository/],
  ['shared/store/tenants.ts', '#admin/service.ts', /shared\/store is the repository/],
  ['shared/store/keys.ts', '#functions/users/app.ts', /shared\/store is the repository/],
  ['shared/directory/service.ts', '#http/handler.ts', /use cases .* are independent of HTTP/],
  ['shared/admin/service.ts', '#api/context.ts', /use cases .* are independent of HTTP/],
  ['shared/directory/listing.ts', 'aws-lambda', /do not know about Lambda/],
  ['shared/http/handler.ts', '#store/client.ts', /shared\/http holds middlewares/],
  ['shared/auth/authenticate.ts', '#admin/service.ts', /shared\/auth/],
  ['shared/api/routes.ts', '#functions/users/app.ts', /imported by the functions/],
  ['shared/directory/service.ts', '../store/resources.ts', /subpath import/],
];

const ALLOWED: Array<[file: string, specifier: string]> = [
  ['shared/scim/patch.ts', '#scim/path.ts'],
  ['shared/store/resources.ts', '#scim/errors.ts'],
  ['shared/directory/service.ts', '#store/resources.ts'],
  ['shared/auth/policy.ts', '#api/routes.ts'],
  ['shared/api/scim-routes.ts', '#http/handler.ts'],
  ['functions/users/app.ts', '#api/scim-routes.ts'],
  ['infra/scim-api.ts', '#api/routes.ts'],
  ['bin/local.ts', '#infra/local/server.ts'],
];

describe('layer rules in the lint step', () => {
  it.each(REFUSED)('%s may not import %s', async (file, specifier, says) => {
    const messages = await restricted(file, specifier);
    expect(messages.length).toBeGreaterThan(0);
    expect(messages.join('\n')).toMatch(says);
  });

  it.each(ALLOWED)('%s may import %s', async (file, specifier) => {
    expect(await restricted(file, specifier)).toEqual([]);
  });
});
