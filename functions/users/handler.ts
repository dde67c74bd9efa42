import { contextFromEnv } from '#api/context.ts';
import { usersHandler } from './app.ts';

export const handler = usersHandler(contextFromEnv());
