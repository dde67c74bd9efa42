// The two public SCIM conformance suites (Postman collections in ../shared/conformance, read in
// place, never copied here) and one way to run them: newman's Node API against a SCIM base URL,
// each on its own empty tenant. Used by `npm run conformance` (run.ts) and by `npm test`
// (conformance.test.ts). Newman may only reach loopback addresses: the agents below refuse
// anything else, so a collection can never phone out.
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import newman, { type NewmanRunSummary } from 'newman';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `../shared/conformance` beside the repository (override with SCIM_CONFORMANCE_DIR). */
export function conformanceDir(repoRoot = REPO_ROOT): string {
  return process.env.SCIM_CONFORMANCE_DIR ?? path.resolve(repoRoot, '..', 'shared', 'conformance');
}

export interface SuiteSpec {
  id: 'okta' | 'microsoft';
  title: string;
  /** Collection file name inside the conformance folder. */
  file: string;
  /** A fresh tenant per run: the Microsoft suite asserts absolute totals and empty lists. */
  tenantPrefix: string;
  variables(scimUrl: string, token: string): Record<string, string>;
}

export const SUITES: readonly SuiteSpec[] = [
  {
    id: 'okta',
    title: 'Okta SCIM 2.0 SPEC test (with its setup seed request)',
    file: 'Okta-SCIM-20-SPEC-Test.postman_collection.json',
    tenantPrefix: 'conf-okta',
    variables: (scimUrl, token) => ({ SCIMBaseURL: scimUrl, auth: `Bearer ${token}` }),
  },
  {
    id: 'microsoft',
    title: "Microsoft SCIMReferenceCode 'SCIM Tests' (adapted for any RFC 7644 server)",
    file: 'SCIMReferenceCode.adapted.postman_collection.json',
    tenantPrefix: 'conf-ms',
    variables: (scimUrl, token) => ({ baseUrl: scimUrl, token }),
  },
];

/** Why the suites cannot run here, or undefined when they can. */
export function unavailableReason(dir = conformanceDir()): string | undefined {
  const missing = SUITES.map((s) => s.file).filter((file) => !existsSync(path.join(dir, file)));
  if (!missing.length) return undefined;
  return (
    `conformance suites not found in ${dir} (missing ${missing.join(', ')}); skipped. ` +
    'They live beside the repository in ../shared/conformance (see its README); set SCIM_CONFORMANCE_DIR to use another folder.'
  );
}

/** The number of `pm.test(...)` assertions the collection declares: every one must run and pass. */
export function declaredAssertions(collection: unknown): number {
  let total = 0;
  const walk = (items: any[]) => {
    for (const item of items) {
      if (Array.isArray(item.item)) walk(item.item);
      for (const event of item.event ?? []) {
        if (event.listen !== 'test') continue;
        const source = ([] as string[]).concat(event.script?.exec ?? []).join('\n');
        total += source.match(/pm\.test\(/g)?.length ?? 0;
      }
    }
  };
  walk((collection as { item?: any[] }).item ?? []);
  return total;
}

export interface Exchange {
  method: string;
  url: string;
  requestBody?: string;
  status?: number;
  responseBody?: string;
}

export interface AssertionFailure {
  request: string;
  assertion: string;
  message: string;
  exchange?: Exchange;
  /** The request before it: often the one that did the damage (a PATCH the failed GET checks). */
  previous?: Exchange & { request: string };
}

export interface SuiteResult {
  suite: SuiteSpec;
  tenantId: string;
  requests: number;
  declared: number;
  executed: number;
  passed: number;
  failures: AssertionFailure[];
  /** Transport errors, script exceptions and blocked non-loopback requests. */
  errors: string[];
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** A socket that fails at once: the request errors out instead of reaching the network. */
function refused(host: string, blocked: string[]): Duplex {
  blocked.push(host);
  const socket = new net.Socket();
  process.nextTick(() =>
    socket.destroy(new Error(`conformance run blocked a connection to ${host}: only loopback addresses may be called`)),
  );
  return socket;
}

/** An HTTP agent that connects to loopback hosts only (and to `allowed`: the smoke test's deployment). */
class LoopbackOnlyAgent extends http.Agent {
  constructor(
    private readonly blocked: string[],
    private readonly allowed: ReadonlySet<string> = new Set(),
  ) {
    super({ keepAlive: false });
  }

  override createConnection(
    options: http.ClientRequestArgs,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const host = String(options.host ?? options.hostname ?? '');
    if (!LOOPBACK.has(host) && !this.allowed.has(host)) return refused(host, this.blocked);
    return super.createConnection(options, callback);
  }
}

/** Against the local runner every HTTPS connection is refused; `allowed` hosts (a deployment) pass. */
class RefuseAllHttpsAgent extends https.Agent {
  constructor(
    private readonly blocked: string[],
    private readonly allowed: ReadonlySet<string> = new Set(),
  ) {
    super({ keepAlive: false });
  }

  override createConnection(
    options: https.RequestOptions,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const host = String(options.host ?? options.hostname ?? '');
    if (this.allowed.has(host)) return super.createConnection(options, callback);
    return refused(`https://${host}`, this.blocked);
  }
}

const clip = (text: string | undefined, max = 2000) =>
  text && text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;

/** Runs one suite with newman against `scimUrl` with `token`; never throws on assertion failures. */
export async function runSuite(
  suite: SuiteSpec,
  options: {
    scimUrl: string;
    token: string;
    tenantId: string;
    dir?: string;
    /** Hosts besides loopback newman may reach: the deployment `npm run smoke` checks (scripts/smoke.ts). */
    allowedHosts?: string[];
  },
): Promise<SuiteResult> {
  const allowed = new Set(options.allowedHosts ?? []);
  const file = path.join(options.dir ?? conformanceDir(), suite.file);
  const collection = JSON.parse(readFileSync(file, 'utf8'));
  const blocked: string[] = [];
  const lastExchange = new Map<string, Exchange>();
  const order: Array<Exchange & { request: string }> = [];
  const failures: AssertionFailure[] = [];
  const errors: string[] = [];
  let executed = 0;
  let passed = 0;
  let requests = 0;

  const summary = await new Promise<NewmanRunSummary>((resolve, reject) => {
    const emitter = newman.run(
      {
        collection,
        envVar: Object.entries(suite.variables(options.scimUrl, options.token)).map(([key, value]) => ({ key, value })),
        reporters: [],
        timeoutRequest: 30_000,
        ignoreRedirects: true,
        requestAgents: {
          http: new LoopbackOnlyAgent(blocked, allowed),
          https: new RefuseAllHttpsAgent(blocked, allowed),
        },
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
    emitter.on('beforeRequest', (_error, args) => {
      const host = args.request.url.getHost();
      if (!LOOPBACK.has(host) && !allowed.has(host))
        errors.push(`request "${args.item.name}" targets non-loopback host ${host}`);
    });
    emitter.on('request', (error, args) => {
      requests += 1;
      const body = args.request.body?.raw;
      const exchange: Exchange = {
        method: args.request.method,
        url: args.request.url.toString(),
        ...(body ? { requestBody: clip(body)! } : {}),
        ...(args.response
          ? { status: args.response.code, responseBody: clip(args.response.stream?.toString('utf8'))! }
          : {}),
      };
      lastExchange.set(args.item.id, exchange);
      order.push({ ...exchange, request: args.item.name });
      if (error) errors.push(`request "${args.item.name}" ${exchange.method} ${exchange.url} failed: ${error.message}`);
    });
    emitter.on('assertion', (error, args) => {
      if (args.skipped) return;
      executed += 1;
      if (!error) {
        passed += 1;
        return;
      }
      const exchange = lastExchange.get(args.item.id);
      const at = exchange ? order.findLastIndex((e) => e.url === exchange.url && e.method === exchange.method) : -1;
      const previous = at > 0 ? order[at - 1] : undefined;
      failures.push({
        request: args.item.name,
        assertion: args.assertion,
        message: error.message,
        ...(exchange ? { exchange } : {}),
        ...(previous ? { previous } : {}),
      });
    });
    emitter.on('exception', (error) => {
      if (error) errors.push(`script exception: ${error.message}`);
    });
  });

  for (const failure of summary.run.failures) {
    // Assertion failures are already collected; keep only script and run errors here.
    if (failure.error.name === 'AssertionError' || failure.at === 'request') continue;
    const where = failure.source?.name ? ` in "${failure.source.name}"` : '';
    const message = `${failure.error.name ?? 'Error'}${where}${failure.at ? ` (${failure.at})` : ''}: ${failure.error.message}`;
    if (!errors.includes(message)) errors.push(message);
  }

  return {
    suite,
    tenantId: options.tenantId,
    requests,
    declared: declaredAssertions(collection),
    executed,
    passed,
    failures,
    errors: [...new Set(errors)],
  };
}

export function isClean(result: SuiteResult): boolean {
  return result.failures.length === 0 && result.errors.length === 0 && result.executed === result.declared;
}

/** A report a human (or the lead) can act on: each failed assertion with its exchange. */
export function formatResult(result: SuiteResult): string {
  const lines = [
    `${result.suite.title}`,
    `  tenant ${result.tenantId}: ${result.requests} requests, assertions ${result.passed}/${result.declared} passed` +
      (result.executed !== result.declared
        ? ` (${result.executed} ran; ${result.declared - result.executed} never ran)`
        : ''),
  ];
  for (const f of result.failures) {
    lines.push(`  FAIL [${f.request}] ${f.assertion}: ${f.message}`);
    if (f.exchange) {
      lines.push(
        `       >>> ${f.exchange.method} ${f.exchange.url}${f.exchange.requestBody ? `\n           ${f.exchange.requestBody.replace(/\s+/g, ' ')}` : ''}`,
      );
      lines.push(
        `       <<< ${f.exchange.status ?? '(no response)'} ${(f.exchange.responseBody ?? '').replace(/\s+/g, ' ')}`,
      );
    }
    if (f.previous) {
      lines.push(
        `       after [${f.previous.request}] ${f.previous.method} ${f.previous.url}${f.previous.requestBody ? ` ${f.previous.requestBody.replace(/\s+/g, ' ')}` : ''}`,
      );
      lines.push(
        `       <<< ${f.previous.status ?? '(no response)'} ${(f.previous.responseBody ?? '').replace(/\s+/g, ' ')}`,
      );
    }
  }
  for (const e of result.errors) lines.push(`  ERROR ${e}`);
  return lines.join('\n');
}
