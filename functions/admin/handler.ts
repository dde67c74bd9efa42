import { contextFromEnv } from '#http/context.ts';
import { adminHandler } from './app.ts';

export const handler = adminHandler(contextFromEnv());
