import { contextFromEnv } from '#api/context.ts';
import { discoveryHandler } from './app.ts';

export const handler = discoveryHandler(contextFromEnv());
