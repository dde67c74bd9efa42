// `scim-admin console [--port <n>]`: starts the console against the resolved target, prints the URL
// to open (with this run's secret) and runs until Ctrl-C.
import { adminRequest, TargetError, type Target } from '../target.ts';
import { startConsole } from './server.ts';

export interface ConsoleIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** Where the console's admin calls go, in words; never a credential. */
function describe(target: Target): string {
  return target.kind === 'local'
    ? `the local runner at ${target.baseUrl}`
    : `stack ${target.stack} (${target.region}), ${target.baseUrl}`;
}

export async function runConsole(target: Target, port: number, io: ConsoleIo): Promise<number> {
  let running;
  try {
    running = await startConsole({ target, port, warn: (text) => io.err(`console: ${text}`) });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    io.err(
      code === 'EADDRINUSE'
        ? `error: port ${port} is already in use on 127.0.0.1; pick another with --port, or leave it out for a free one`
        : `error: the console could not start: ${(error as Error).message}`,
    );
    return 1;
  }
  io.out(
    [
      `SCIM admin console for ${describe(target)}`,
      '',
      'Open this URL in your browser (it carries a secret for this run: do not share it):',
      '',
      `    ${running.url}`,
      '',
      'Ctrl-C stops the console.',
    ].join('\n'),
  );
  // Say now, rather than on the first click, when the admin API cannot be reached or refuses us.
  try {
    const probe = await adminRequest(target, 'GET', '/admin/tenants?count=1');
    if (probe.status >= 400) {
      const detail = (probe.body as { detail?: string } | undefined)?.detail ?? `HTTP ${probe.status}`;
      io.err(`warning: the admin API answered ${probe.status}: ${detail}`);
    }
  } catch (error) {
    io.err(`warning: ${error instanceof TargetError ? error.message : (error as Error).message}`);
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await running.close();
  io.out('Console stopped.');
  return 0;
}
