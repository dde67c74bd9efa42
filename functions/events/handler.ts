import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { contextFromEnv } from '#api/context.ts';
import { instrument } from '#functions/telemetry.ts';
import { eventBridgePublisher } from '#events/bus.ts';
import { EVENTS_ENV, feedRetentionDaysFrom } from '#events/settings.ts';
import { eventsHandler } from './app.ts';

const busName = process.env[EVENTS_ENV.busName];

const ctx = contextFromEnv();

// Powertools metrics and traces, as every function (functions/telemetry.ts).
export const handler = instrument(
  eventsHandler(ctx, {
    ...(busName ? { publish: eventBridgePublisher(new EventBridgeClient({}), busName) } : {}),
    scimBase: process.env[EVENTS_ENV.scimBase] ?? '',
    feedRetentionDays: feedRetentionDaysFrom(process.env),
  }),
  { db: ctx.db },
);
