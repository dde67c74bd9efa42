import { contextFromEnv } from '#api/context.ts';
import { adminHandler } from './app.ts';

export const handler = adminHandler(contextFromEnv());
