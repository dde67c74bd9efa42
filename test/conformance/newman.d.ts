// The slice of newman's Node API (newman 6, no bundled types) that test/conformance uses:
// `run(options, callback)` and the events of the emitter it returns.
declare module 'newman' {
  import type { EventEmitter } from 'node:events';
  import type { Agent as HttpAgent } from 'node:http';
  import type { Agent as HttpsAgent } from 'node:https';

  export interface NewmanRunOptions {
    collection: string | object;
    environment?: string | object;
    envVar?: Array<{ key: string; value: string }>;
    reporters?: string | string[];
    reporter?: Record<string, unknown>;
    timeoutRequest?: number;
    ignoreRedirects?: boolean;
    requestAgents?: { http?: HttpAgent; https?: HttpsAgent };
    color?: 'on' | 'off' | 'auto';
    folder?: string | string[];
    bail?: boolean | string[];
  }

  /** postman-collection objects, reduced to what we read. */
  export interface SdkItem {
    id: string;
    name: string;
  }
  export interface SdkRequest {
    method: string;
    url: { toString(): string; getHost(): string };
    headers: { toObject(): Record<string, string> };
    body?: { mode?: string; raw?: string; toString(): string };
  }
  export interface SdkResponse {
    code: number;
    status?: string;
    stream?: Buffer;
    text(): string;
  }

  export interface RequestEventArgs {
    item: SdkItem;
    request: SdkRequest;
    response?: SdkResponse;
  }
  export interface AssertionEventArgs {
    item: SdkItem;
    assertion: string;
    skipped?: boolean;
  }
  export interface ExceptionEventArgs {
    error: { name?: string; message: string };
  }
  export interface BeforeRequestEventArgs {
    item: SdkItem;
    request: SdkRequest;
  }

  export interface NewmanRunSummary {
    run: {
      stats: Record<
        | 'iterations'
        | 'items'
        | 'scripts'
        | 'prerequests'
        | 'requests'
        | 'tests'
        | 'assertions'
        | 'testScripts'
        | 'prerequestScripts',
        { total: number; failed: number; pending: number }
      >;
      failures: Array<{ error: { name?: string; message: string }; at?: string; source?: SdkItem }>;
      error?: Error;
    };
  }

  export interface NewmanRunEmitter extends EventEmitter {
    on(event: 'request', listener: (error: Error | null, args: RequestEventArgs) => void): this;
    on(
      event: 'assertion',
      listener: (error: (Error & { test?: string }) | null, args: AssertionEventArgs) => void,
    ): this;
    on(event: 'exception', listener: (error: Error | null, args: ExceptionEventArgs) => void): this;
    on(event: 'beforeRequest', listener: (error: Error | null, args: BeforeRequestEventArgs) => void): this;
    on(event: string, listener: (...args: any[]) => void): this;
  }

  export function run(
    options: NewmanRunOptions,
    callback?: (error: Error | null, summary: NewmanRunSummary) => void,
  ): NewmanRunEmitter;

  const newman: { run: typeof run };
  export default newman;
}
