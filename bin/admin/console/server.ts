// `scim-admin console`: a local web app on 127.0.0.1 that drives the admin API for the browser.
//
// Who can use it: only a browser that opened the URL printed at start. That URL carries a random
// per-run secret (as Jupyter does); the first visit trades it for an HttpOnly, SameSite=Strict
// cookie and every later request must carry that cookie. Requests from another origin (an `Origin`
// or `Sec-Fetch-Site` that is not this console's own), for another Host name (DNS rebinding) or
// without the console's own request header are refused before anything else happens.
//
// What it can do: the allow-list in proxy.ts, nothing else. The admin credential (the local admin
// key, or the admin's AWS credentials signing each call with SigV4) stays in this process; the
// browser never sees it. Nothing is logged about requests, so no SCIM token can end up in a log.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { adminRequest, TargetError, type Target } from '../target.ts';
import { buildUi, type UiBundle } from './bundle.ts';
import { proxyCallFor } from './proxy.ts';

/** Admin request bodies are small (a name, a flag); anything bigger is not from the console's screens. */
const MAX_BODY_BYTES = 16 * 1024;
/** The header every API call from the console's own page carries (a cross-origin page would need a preflight). */
export const CONSOLE_HEADER = 'x-scim-console';

export interface ConsoleOptions {
  target: Target;
  /** 0 (default): a free port. */
  port?: number;
  /** Where to report a failed admin call the page will show anyway (never a request body). */
  warn?: (text: string) => void;
}

export interface RunningConsole {
  /** The URL to open: it carries the secret. */
  url: string;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  port: number;
  close(): Promise<void>;
}

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>SCIM admin console</title>
<link rel="stylesheet" href="/app.css">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top"><a class="brand" href="#/">SCIM admin console</a><span class="target" id="target"></span></header>
<main id="main" tabindex="-1"><p>Loading…</p></main>
<script type="module" src="/app.js"></script>
</body>
</html>
`;

const REFUSED_PAGE = (why: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SCIM admin console</title></head>
<body><h1>SCIM admin console</h1><p>${why}</p></body></html>
`;

function sameSecret(given: string | undefined, secret: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function readBody(req: http.IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** What the page shows about where it is connected; never a credential. */
function sessionOf(target: Target) {
  return {
    target:
      target.kind === 'local'
        ? { kind: 'local', url: target.baseUrl }
        : { kind: 'aws', url: target.baseUrl, stack: target.stack, region: target.region },
    scimBaseUrl: `${target.baseUrl}/scim/v2`,
  };
}

export async function startConsole(options: ConsoleOptions): Promise<RunningConsole> {
  const { target } = options;
  const ui: UiBundle = await buildUi();
  const secret = randomBytes(32).toString('base64url');
  let port = 0;
  // Cookies are not scoped by port: the name carries it, so two consoles never overwrite each other.
  const cookieName = () => `scim_console_${port}`;
  const hosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);

  const send = (
    res: http.ServerResponse,
    status: number,
    body: string,
    type: string,
    headers: Record<string, string> = {},
  ) => {
    res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, ...headers });
    res.end(body);
  };
  const json = (res: http.ServerResponse, status: number, body: unknown) =>
    send(res, status, JSON.stringify(body ?? {}), 'application/json; charset=utf-8');
  const refuse = (res: http.ServerResponse, path: string, status: number, why: string) =>
    path.startsWith('/api/')
      ? json(res, status, { status: String(status), detail: why })
      : send(res, status, REFUSED_PAGE(why), 'text/html; charset=utf-8');

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://console.invalid');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const host = req.headers.host ?? '';

    // Another Host name pointing at 127.0.0.1 (DNS rebinding) is another site: refused.
    if (!hosts().has(host)) return refuse(res, path, 403, 'This console only answers on 127.0.0.1 and localhost.');
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${host}`)
      return refuse(res, path, 403, 'Cross-origin request refused.');
    const site = req.headers['sec-fetch-site'];
    const isApi = path.startsWith('/api/');
    // Navigations may come from anywhere (a terminal, a bookmark); API calls only from our own page.
    if (isApi && site !== undefined && site !== 'same-origin')
      return refuse(res, path, 403, 'Cross-origin request refused.');

    if (method === 'GET' && path === '/' && url.searchParams.has('token')) {
      if (!sameSecret(url.searchParams.get('token') ?? undefined, secret))
        return refuse(res, path, 403, 'This link does not carry the secret of the running console.');
      // Trade the secret in the URL for a cookie, and drop it from the address bar.
      res.writeHead(303, {
        ...SECURITY_HEADERS,
        location: '/',
        'set-cookie': `${cookieName()}=${secret}; HttpOnly; SameSite=Strict; Path=/`,
      });
      res.end();
      return;
    }
    if (!sameSecret(cookieValue(req.headers.cookie, cookieName()), secret)) {
      return refuse(res, path, 403, 'Open the URL that scim-admin console printed: it carries this run’s secret.');
    }

    if (!isApi) {
      if (method !== 'GET') return refuse(res, path, 405, 'Method not allowed.');
      if (path === '/') return send(res, 200, PAGE, 'text/html; charset=utf-8');
      if (path === '/app.js') return send(res, 200, ui.js, 'text/javascript; charset=utf-8');
      if (path === '/app.css') return send(res, 200, ui.css, 'text/css; charset=utf-8');
      return refuse(res, path, 404, 'Not found.');
    }

    if (req.headers[CONSOLE_HEADER] !== '1')
      return refuse(res, path, 403, `API calls need the ${CONSOLE_HEADER} header.`);
    if (method === 'GET' && path === '/api/session') return json(res, 200, sessionOf(target));
    const call = proxyCallFor(method, path.slice('/api'.length), url.searchParams);
    if (!call) return refuse(res, path, 404, `The console does not offer ${method} ${path}.`);

    let body: unknown;
    if (call.withBody) {
      const text = await readBody(req);
      if (text === undefined) return refuse(res, path, 413, `Request body over ${MAX_BODY_BYTES} bytes.`);
      try {
        body = text ? JSON.parse(text) : {};
      } catch {
        return refuse(res, path, 400, 'The request body is not JSON.');
      }
    }
    try {
      const answer = await adminRequest(target, call.method, call.adminPath, body);
      if (answer.status === 204) {
        res.writeHead(204, SECURITY_HEADERS);
        res.end();
        return;
      }
      return json(res, answer.status, answer.body);
    } catch (error) {
      // Unreachable API, or no usable AWS credentials (expired SSO session, ...): say which.
      const detail =
        error instanceof TargetError ? error.message : `the admin API call failed: ${(error as Error).message}`;
      options.warn?.(`${method} ${path}: ${detail}`);
      return json(res, 502, { status: '502', detail });
    }
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) json(res, 500, { status: '500', detail: 'console error' });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/?token=${secret}`,
    origin,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
