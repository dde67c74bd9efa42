import { startLocalStack } from '../support/local-stack.ts';
import { buildDirectory } from '../support/directory.ts';
const stack = await startLocalStack();
const d = await buildDirectory(stack, 'large', 2000);
const q = encodeURIComponent;
for (const path of [`/Groups/${d.bigGroupId}`, `/Groups?filter=${q('displayName eq "All users"')}`, `/Users?count=1&excludedAttributes=groups&filter=${q(`groups.value eq "${d.bigGroupId}"`)}`, `/Groups?filter=${q(`id eq "${d.bigGroupId}" and members eq "${d.users[5]!.id}"`)}`]) {
  try { const r = await d.scim.call('GET', path); console.log(path.slice(0, 60), r.status, r.text.length, r.text.slice(0, 200), r.cost.requests, r.ms); } catch (e) { console.log(path, 'ERR', (e as Error).message, (e as any).cause); }
}
await stack.close();
