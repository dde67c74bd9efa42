import { contextFromEnv } from '#api/context.ts';
import { groupsHandler } from './app.ts';

export const handler = groupsHandler(contextFromEnv());
