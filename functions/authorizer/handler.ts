import { contextFromEnv } from '#http/context.ts';
import { authorizerHandler } from './app.ts';

export const handler = authorizerHandler(contextFromEnv());
