import { contextFromEnv } from '#api/context.ts';
import { instrument } from '#functions/telemetry.ts';
import { apiGatewayControl } from './api-gateway.ts';
import { adminHandler } from './app.ts';

const ctx = contextFromEnv();

export const handler = instrument(adminHandler(ctx, apiGatewayControl()), { db: ctx.db });
