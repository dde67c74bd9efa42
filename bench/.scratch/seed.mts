import { startLocalStack } from '../support/local-stack.ts';
import { seedUsers, seedMembers } from '../support/seed.ts';
const stack = await startLocalStack();
const scim = await stack.tenant('large');
for (const conc of [32, 64, 32]) {
  const t = performance.now();
  const users = await seedUsers(stack.ctx.db, 'large', 10000, { tag: 't' + conc, concurrency: conc });
  const ms = performance.now() - t;
  console.log('conc', conc, 'users/s', (10000 / ms * 1000).toFixed(0), 'items/s', (10000 / ms * 1000).toFixed(0));
  const t2 = performance.now();
  await seedMembers(stack.ctx.db, 'large', '01GROUP' + conc + Math.random(), users, { concurrency: conc });
  console.log('  members/s', (10000 / (performance.now() - t2) * 1000).toFixed(0));
  if (conc === 4) { const r = await scim.call('GET', `/Users/${users[0]!.id}`); console.log(r.status, r.text.slice(0, 600), r.cost); }
}
await stack.close();
