// SigV4 signing of admin API requests (AWS_IAM on the deployed /admin routes), with the AWS SDK's
// own signer: nothing about the algorithm is written here.
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export type CredentialSource = Credentials | (() => Promise<Credentials>);

export interface RequestToSign {
  method: string;
  url: URL;
  headers?: Record<string, string>;
  body?: string;
}

export interface SignOptions {
  region: string;
  credentials: CredentialSource;
  /** `execute-api` for API Gateway. */
  service?: string;
  /** Fixed signing time, for tests; now by default. */
  signingDate?: Date;
}

/**
 * The headers to send: the given ones plus host, x-amz-date, authorization and, with temporary
 * credentials, x-amz-security-token. Header names come back lower-case.
 */
export async function signRequest(request: RequestToSign, options: SignOptions): Promise<Record<string, string>> {
  const signer = new SignatureV4({
    service: options.service ?? 'execute-api',
    region: options.region,
    credentials: options.credentials,
    sha256: Sha256,
    // API Gateway does not need x-amz-content-sha256; leaving it out keeps the signed request minimal.
    applyChecksum: false,
  });
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of request.url.searchParams) {
    const previous = query[name];
    query[name] = previous === undefined ? value : [previous, value].flat();
  }
  const headers: Record<string, string> = { host: request.url.host };
  for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: request.url.protocol,
      hostname: request.url.hostname,
      ...(request.url.port ? { port: Number(request.url.port) } : {}),
      path: request.url.pathname,
      query,
      headers,
      ...(request.body !== undefined ? { body: request.body } : {}),
    },
    options.signingDate ? { signingDate: options.signingDate } : {},
  );
  return Object.fromEntries(Object.entries(signed.headers).map(([name, value]) => [name.toLowerCase(), String(value)]));
}
