// `npm run admin -- <command>` / `npx scim-admin <command>`: see bin/admin/cli.ts.
import './quiet-sdk-warning.ts';
import { main } from './admin/cli.ts';

process.exitCode = await main(process.argv.slice(2));
