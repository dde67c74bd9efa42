import { contextFromEnv } from '#http/context.ts';
import { groupsHandler } from './app.ts';

export const handler = groupsHandler(contextFromEnv());
