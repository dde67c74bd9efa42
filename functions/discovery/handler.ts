import { contextFromEnv } from '#http/context.ts';
import { discoveryHandler } from './app.ts';

export const handler = discoveryHandler(contextFromEnv());
