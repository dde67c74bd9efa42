#!/usr/bin/env node
// The `scim-admin` bin entry: registers tsx so Node can load the TypeScript CLI, then runs it.
import { register } from 'tsx/esm/api';

register();
await import(new URL('./admin.ts', import.meta.url).href);
