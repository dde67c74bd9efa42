import { contextFromEnv } from '#api/context.ts';
import { authorizerHandler } from './app.ts';

export const handler = authorizerHandler(contextFromEnv());
