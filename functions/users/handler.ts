import { contextFromEnv } from '#api/context.ts';
import { instrument } from '#functions/telemetry.ts';
import { usersHandler } from './app.ts';

const ctx = contextFromEnv();

export const handler = instrument(usersHandler(ctx), { db: ctx.db });
