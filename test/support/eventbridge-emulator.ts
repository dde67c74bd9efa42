// A local EventBridge endpoint for tests (there is no EventBridge Local): it answers PutEvents the
// way EventBridge does (awsJson1_1, per-entry results, FailedEntryCount), keeps what it accepted,
// and refuses the entries a test asks it to refuse, so the real SDK client and the events
// function's retry and partial-failure handling run exactly as they would against AWS.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';

export interface PutEntry {
  Source: string;
  DetailType: string;
  Detail: string;
  EventBusName: string;
  Time?: number;
}

export interface EventBridgeEmulator {
  client: EventBridgeClient;
  /** Accepted entries, in the order they arrived. */
  accepted: PutEntry[];
  /** PutEvents calls received (accepted or not). */
  calls: number;
  /** An error code to refuse an entry with (e.g. 'ThrottlingException'), or undefined to accept it. */
  refuse: (entry: PutEntry) => string | undefined;
  close(): Promise<void>;
}

export async function startEventBridgeEmulator(): Promise<EventBridgeEmulator> {
  const emulator = { accepted: [] as PutEntry[], calls: 0, refuse: (() => undefined) as EventBridgeEmulator['refuse'] };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = req.headers['x-amz-target'];
      if (target !== 'AWSEvents.PutEvents') {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ __type: 'UnknownOperationException', message: String(target) }));
        return;
      }
      emulator.calls += 1;
      const { Entries = [] } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Entries?: PutEntry[] };
      let failed = 0;
      const results = Entries.map((entry) => {
        const code = emulator.refuse(entry);
        if (code) {
          failed += 1;
          return { ErrorCode: code, ErrorMessage: `refused by the test: ${code}` };
        }
        emulator.accepted.push(entry);
        return { EventId: randomUUID() };
      });
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ FailedEntryCount: failed, Entries: results }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new EventBridgeClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  return Object.assign(emulator, {
    client,
    close: () =>
      new Promise<void>((resolve) => {
        client.destroy();
        server.close(() => resolve());
      }),
  });
}
