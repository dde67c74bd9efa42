// What every function needs at run time, built once per Lambda container (or once per local
// runner). Passing it in, instead of reading globals, lets tests inject a table and a clock.
import type { AdminConfig } from '#admin/service.ts';
import { createDb, type Db } from '#store/client.ts';

export interface AppConfig extends AdminConfig {
  /** Custom extension schema (JSON), see shared/scim/schema/custom-extension.ts. */
  customExtension?: string;
  /** The pull feed holds back events younger than this (shared/admin/feed.ts). @default 3000 */
  feedSettleMs?: number;
}

export interface AppContext {
  db: Db;
  clock: () => Date;
  config: AppConfig;
}

const intFrom = (value: string | undefined, fallback: number) => {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
};

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): AppConfig {
  return {
    maxActiveTokens: intFrom(env.MAX_ACTIVE_TOKENS, 2),
    tokenLifetimeDays: intFrom(env.TOKEN_LIFETIME_DAYS, 365),
    maxTokenLifetimeDays: intFrom(env.MAX_TOKEN_LIFETIME_DAYS, 730),
    ...(env.SCIM_CUSTOM_EXTENSION ? { customExtension: env.SCIM_CUSTOM_EXTENSION } : {}),
    ...(env.FEED_SETTLE_MS && Number.isInteger(Number(env.FEED_SETTLE_MS))
      ? { feedSettleMs: Math.max(0, Number(env.FEED_SETTLE_MS)) }
      : {}),
  };
}

export function contextFromEnv(env: NodeJS.ProcessEnv = process.env): AppContext {
  const tableName = env.TABLE_NAME ?? '';
  return {
    db: createDb({ tableName, ...(env.DYNAMODB_ENDPOINT ? { endpoint: env.DYNAMODB_ENDPOINT } : {}) }),
    clock: () => new Date(),
    config: configFromEnv(env),
  };
}
