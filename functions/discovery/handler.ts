import { contextFromEnv } from '#api/context.ts';
import { instrument } from '#functions/telemetry.ts';
import { discoveryHandler } from './app.ts';

export const handler = instrument(discoveryHandler(contextFromEnv()));
