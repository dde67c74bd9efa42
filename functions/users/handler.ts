import { contextFromEnv } from '#http/context.ts';
import { usersHandler } from './app.ts';

export const handler = usersHandler(contextFromEnv());
