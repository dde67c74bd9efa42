// `scim-admin events <tenant> [--follow]` and `scim-admin activity <tenant>`: the tenant's change
// events (the pull feed, docs/events.md) and its refused SCIM requests, readable or as JSON lines.
import { setTimeout as sleep } from 'node:timers/promises';
import type { DirectoryEvent } from '#events/envelope.ts';
import { adminRequest, type Target } from './target.ts';

export interface EventsOptions {
  tenantId: string;
  follow: boolean;
  types?: string;
  after?: string;
  /** One JSON line per event (the envelope as the feed answers it). */
  json: boolean;
  /** How often --follow asks for new events. @default 2000 */
  intervalMs?: number;
  /** Stops --follow (Ctrl-C by default). */
  signal?: AbortSignal;
}

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

const PAGE = 1000;

function actorOf(e: DirectoryEvent): string {
  if (e.actor.tokenName) return `token ${e.actor.tokenName}`;
  if (e.actor.tokenId) return `token ${e.actor.tokenId}`;
  if (e.actor.admin) return `admin ${e.actor.admin}`;
  return 'unknown';
}

function subjectOf(e: DirectoryEvent): string {
  const data = e.data as { memberId?: string; memberType?: string; changed?: string[] };
  const r = e.resource;
  const name = r.userName ?? r.displayName;
  const base = `${r.type} ${r.id}${name ? ` (${name})` : ''}`;
  if (data.memberId) return `${base} ${data.memberType ?? 'member'} ${data.memberId}`;
  if (data.changed?.length) return `${base} [${data.changed.join(', ')}]`;
  return base;
}

/** One readable line per event: time, type, what, who. */
export const eventLine = (e: DirectoryEvent) =>
  `${e.occurredAt}  ${e.type.padEnd(21)} ${subjectOf(e)}  by ${actorOf(e)}`;

/** Prints the feed from `after` (or its start); with --follow keeps polling until stopped. */
export async function printEvents(target: Target, options: EventsOptions, io: Io): Promise<number> {
  const signal = options.signal ?? stopOnInterrupt();
  let after = options.after;
  for (;;) {
    const query = new URLSearchParams({
      limit: String(PAGE),
      ...(after ? { after } : {}),
      ...(options.types ? { types: options.types } : {}),
    });
    const res = await adminRequest(
      target,
      'GET',
      `/admin/tenants/${encodeURIComponent(options.tenantId)}/events?${query}`,
    );
    if (res.status >= 400) {
      const detail = (res.body as { detail?: string } | undefined)?.detail ?? JSON.stringify(res.body);
      io.err(`error: ${res.status} ${detail}`);
      return 1;
    }
    const body = res.body as { events: DirectoryEvent[]; nextCursor: string };
    for (const e of body.events) io.out(options.json ? JSON.stringify(e) : eventLine(e));
    after = body.nextCursor;
    // A page may hold fewer than PAGE events while more wait (pages are capped in bytes, and a
    // `types` filter reads past events it leaves out): keep reading until a page is empty.
    if (body.events.length > 0) continue;
    if (!options.follow || signal.aborted) break;
    try {
      await sleep(options.intervalMs ?? 2000, undefined, { signal });
    } catch {
      break; // stopped
    }
  }
  // Where to resume: `scim-admin events <tenant> --after <cursor>` prints only what came since.
  io.err(`cursor: ${after}`);
  return 0;
}

function stopOnInterrupt(): AbortSignal {
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  return controller.signal;
}

interface ActivityView {
  at: string;
  tokenId?: string;
  tokenName?: string;
  method: string;
  path: string;
  status: number;
  scimType?: string;
  detail: string;
  resource?: { userName?: string; displayName?: string; externalId?: string };
}

/** `activity <tenant>`: the refused requests, newest first. */
export function describeActivity(tenantId: string, body: unknown): string {
  const list = (body as { activity: ActivityView[] }).activity;
  if (!list.length) return `Tenant ${tenantId} has no refused SCIM requests in the last 7 days.`;
  return list
    .map((a) => {
      const who = a.tokenName ?? a.tokenId ?? 'unknown token';
      const what = a.resource?.userName ?? a.resource?.displayName ?? a.resource?.externalId;
      return [
        `${a.at}  ${a.status}${a.scimType ? ` ${a.scimType}` : ''}  ${a.method} ${a.path}${what ? `  (${what})` : ''}  by ${who}`,
        `    ${a.detail}`,
      ].join('\n');
    })
    .join('\n');
}
