import { contextFromEnv } from '#api/context.ts';
import { instrument } from '#functions/telemetry.ts';
import { groupsHandler } from './app.ts';

const ctx = contextFromEnv();

export const handler = instrument(groupsHandler(ctx), { db: ctx.db });
