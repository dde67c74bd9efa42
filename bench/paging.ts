// Item 2: walking a whole directory page by page, as Okta's import does (startIndex += 100) and as
// an RFC 9865 client does (cursor), with the cost and time of the first, middle and last page.
//
// The walks ask for every attribute, as Okta does: a user's `groups` are kept on its item, so a
// page costs its Query whatever it returns. The first, middle and last pages are then fetched
// again with excludedAttributes=groups from the same positions, to show that the two cost the same.
import type { Cost } from '#store/client.ts';
import type { Directory } from './support/directory.ts';
import type { CallResult } from './support/local-stack.ts';
import type { Report } from './support/report.ts';
import { median, round, sum } from './support/stats.ts';

interface PageSample {
  index: number;
  /** The request that fetched this page (without the attribute selection). */
  path: string;
  items: number;
  cost: Cost;
  ms: number;
}

interface Walk {
  mode: 'startIndex' | 'cursor';
  pages: PageSample[];
  seen: number;
  totalResults: number;
  totalMs: number;
  error?: string;
}

const PAGE = 100;

async function walk(dir: Directory, mode: Walk['mode'], maxPages: number): Promise<Walk> {
  const pages: PageSample[] = [];
  let seen = 0;
  let totalResults = 0;
  let cursor = '';
  const started = performance.now();
  for (let index = 0; index < maxPages; index += 1) {
    const path =
      mode === 'startIndex'
        ? `/Users?startIndex=${index * PAGE + 1}&count=${PAGE}`
        : `/Users?count=${PAGE}&cursor=${encodeURIComponent(cursor)}`;
    const res: CallResult = await dir.scim.call('GET', path);
    if (res.status !== 200) {
      return {
        mode,
        pages,
        seen,
        totalResults,
        totalMs: performance.now() - started,
        error: `page ${index + 1}: HTTP ${res.status} ${res.text.slice(0, 200)}`,
      };
    }
    const items = (res.body.Resources as unknown[] | undefined)?.length ?? 0;
    totalResults = res.body.totalResults as number;
    pages.push({ index, path, items, cost: res.cost, ms: res.ms });
    seen += items;
    if (mode === 'cursor') {
      if (!res.body.nextCursor) break;
      cursor = res.body.nextCursor as string;
    } else if (items < PAGE || seen >= totalResults) {
      break;
    }
  }
  return { mode, pages, seen, totalResults, totalMs: performance.now() - started };
}

/** The page at `at` and the median time of the 5 pages around it (one page's time is noisy). */
function around(w: Walk, at: number) {
  const p = w.pages[at]!;
  const window = w.pages.slice(Math.max(0, at - 2), at + 3).map((x) => x.ms);
  return {
    path: p.path,
    page: p.index + 1,
    items: p.items,
    requests: p.cost.requests,
    roundTrips: p.cost.roundTrips,
    rcu: p.cost.rcu,
    wcu: p.cost.wcu,
    ms: p.ms,
    windowMedianMs: median(window),
  };
}

export async function runPaging(report: Report, dir: Directory): Promise<void> {
  const maxPages = Math.ceil((dir.size + 50) / PAGE) + 2;
  const walks: Walk[] = [];
  for (const mode of ['startIndex', 'cursor'] as const) {
    process.stdout.write(`  walking ${dir.size.toLocaleString('en-US')} users by ${mode} ...\n`);
    walks.push(await walk(dir, mode, maxPages));
  }
  // Random access without a remembered position: the page must be found by skipping keys.
  const jumpAt = Math.floor(dir.size / 2 / PAGE) * PAGE + 51;
  const jump = await dir.scim.call('GET', `/Users?startIndex=${jumpAt}&count=${PAGE}&excludedAttributes=groups`);

  const rows = [];
  const data = [];
  for (const w of walks) {
    if (!w.pages.length) {
      rows.push([w.mode, 'ERROR', w.error ?? 'no pages']);
      continue;
    }
    const fullPages = w.pages.filter((p) => p.items === PAGE);
    const points = {
      first: around(w, 0),
      middle: around(w, Math.floor((fullPages.length - 1) / 2)),
      last: around(w, Math.max(0, fullPages.length - 1)),
    };
    for (const [which, p] of Object.entries(points)) {
      rows.push([
        `${w.mode}, all attributes`,
        which,
        p.page,
        p.items,
        p.requests,
        p.roundTrips,
        round(p.rcu, 1),
        round(p.wcu, 1),
        round(p.ms, 1),
        round(p.windowMedianMs, 1),
      ]);
    }
    const full: { which: string; status: number; cost: Cost; ms: number }[] = [];
    for (const [which, p] of Object.entries(points)) {
      const again = await dir.scim.call('GET', `${p.path}&excludedAttributes=groups`);
      full.push({ which, status: again.status, cost: again.cost, ms: again.ms });
      rows.push([
        `${w.mode}, groups excluded`,
        which,
        p.page,
        (again.body?.Resources as unknown[] | undefined)?.length ?? 0,
        again.cost.requests,
        again.cost.roundTrips,
        round(again.cost.rcu, 1),
        round(again.cost.wcu, 1),
        round(again.ms, 1),
        undefined,
      ]);
    }
    const fullRatio = full[2]!.cost.requests / full[1]!.cost.requests;
    // Page 1 needs no saved position (one GetItem fewer), so growth is measured against page 2.
    const second = w.pages.length > 1 ? around(w, 1) : points.first;
    const ratio = (k: 'requests' | 'rcu') => points.last[k] / second[k];
    // Time: one page's time is noisy, so compare the median of the last quarter of the walk with
    // the first quarter's (page 1 left out); a walk that grows with the offset shows here.
    const timed = w.pages
      .slice(1)
      .filter((p) => p.items === PAGE)
      .map((p) => p.ms);
    const quarter = Math.max(1, Math.floor(timed.length / 4));
    const timeGrowth = median(timed.slice(-quarter)) / median(timed.slice(0, quarter));
    data.push({
      mode: w.mode,
      pages: w.pages.length,
      seen: w.seen,
      totalResults: w.totalResults,
      totalSeconds: w.totalMs / 1000,
      totalRequests: sum(w.pages.map((p) => p.cost.requests)),
      totalRcu: sum(w.pages.map((p) => p.cost.rcu)),
      totalWcu: sum(w.pages.map((p) => p.cost.wcu)),
      points,
      allAttributes: full,
      lastOverFirst: {
        requests: ratio('requests'),
        rcu: ratio('rcu'),
        time: timeGrowth,
        requestsGroupsExcluded: fullRatio,
      },
      error: w.error,
    });
    const complete = !w.error && w.seen === w.totalResults;
    report.target({
      section: '2 paging',
      target: `${w.mode} walk returns every user once`,
      met: complete,
      detail: `${w.seen.toLocaleString('en-US')} of totalResults ${w.totalResults.toLocaleString('en-US')} in ${w.pages.length} pages${w.error ? `; ${w.error}` : ''}`,
    });
    const costRatio = Math.max(ratio('requests'), ratio('rcu'), fullRatio);
    report.target({
      section: '2 paging',
      target: `${w.mode}: last page ≈ first pages (cost and time)`,
      met: costRatio <= 1.05 && timeGrowth <= 1.5,
      detail: `last page / page 2: requests ${round(ratio('requests'), 2)}, RCU ${round(ratio('rcu'), 2)}; time, last quarter / first quarter of the walk (medians): ${round(timeGrowth, 2)}; with groups excluded, last/middle requests ${round(fullRatio, 2)}`,
    });
  }
  rows.push([
    'startIndex, random jump',
    `startIndex=${jumpAt}`,
    Math.ceil(jumpAt / PAGE),
    (jump.body?.Resources as unknown[] | undefined)?.length ?? 0,
    jump.cost.requests,
    jump.cost.roundTrips,
    round(jump.cost.rcu, 1),
    round(jump.cost.wcu, 1),
    round(jump.ms, 1),
    undefined,
  ]);

  report.table('paging', {
    title: `2. Paging ${dir.size.toLocaleString('en-US')} users, count=${PAGE} (cost per page)`,
    columns: ['walk', 'page', '#', 'items', 'requests', 'round trips', 'RCU', 'WCU', 'ms', 'ms (median of 5 around)'],
    rows,
    notes: [
      ...data.map(
        (d) =>
          `${d.mode}: ${d.pages} pages, ${d.seen.toLocaleString('en-US')} users in ${round(d.totalSeconds, 1)} s; ${d.totalRequests.toLocaleString('en-US')} DynamoDB requests, ${round(d.totalRcu, 0).toLocaleString('en-US')} RCU, ${round(d.totalWcu, 0).toLocaleString('en-US')} WCU in total; last page / page 2: requests ${round(d.lastOverFirst.requests, 2)}, RCU ${round(d.lastOverFirst.rcu, 2)} (page 1 skips the saved-position GetItem); median page time, last quarter / first quarter: ${round(d.lastOverFirst.time, 2)}.`,
      ),
      `Random jump: a startIndex no walk has reached (${jumpAt}) is found by reading keys only (ProjectionExpression sk), ${round(jump.cost.rcu, 0)} RCU: O(startIndex), by design only for clients that jump.`,
      'Walks ask for every attribute, as Okta does; the "groups excluded" rows fetch the same pages again without `groups`: the same requests, since a user\'s groups are on its item.',
    ],
  });
  report.data.paging = {
    pageSize: PAGE,
    walks: data,
    jump: { startIndex: jumpAt, status: jump.status, cost: jump.cost, ms: jump.ms },
  };
}
