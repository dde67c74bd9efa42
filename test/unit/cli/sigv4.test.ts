// The CLI signs deployed admin requests with the SDK's SigV4 signer. These tests pin the result
// against values computed without it: AWS's published example, and an HMAC chain derived here
// step by step from the SigV4 specification.
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signRequest } from '../../../bin/admin/sigv4.ts';

// AWS's documentation example keys (not real credentials).
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

describe('SigV4 signing', () => {
  it("reproduces AWS's published example (IAM ListUsers, 2015-08-30)", async () => {
    // docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html ("GET https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08")
    const headers = await signRequest(
      {
        method: 'GET',
        url: new URL('https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08'),
        headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
      },
      { region: 'us-east-1', service: 'iam', credentials, signingDate: new Date('2015-08-30T12:36:00Z') },
    );
    expect(headers['x-amz-date']).toBe('20150830T123600Z');
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, ' +
        'SignedHeaders=content-type;host;x-amz-date, ' +
        'Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7',
    );
  });

  it('signs an admin API request for execute-api exactly as the specification derives it', async () => {
    const url = new URL('https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod/admin/tenants/acme/tokens');
    const body = JSON.stringify({ name: 'okta-prod', scope: 'full' });
    const date = new Date('2030-01-02T03:04:05Z');
    const headers = await signRequest(
      { method: 'POST', url, headers: { 'content-type': 'application/json' }, body },
      { region: 'eu-west-1', credentials, signingDate: date },
    );

    const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
    const hmac = (key: string | Buffer, s: string) => createHmac('sha256', key).update(s).digest();
    const canonicalRequest = [
      'POST',
      '/prod/admin/tenants/acme/tokens',
      '',
      'content-type:application/json',
      `host:${url.host}`,
      'x-amz-date:20300102T030405Z',
      '',
      'content-type;host;x-amz-date',
      sha256(body),
    ].join('\n');
    const scope = '20300102/eu-west-1/execute-api/aws4_request';
    const stringToSign = ['AWS4-HMAC-SHA256', '20300102T030405Z', scope, sha256(canonicalRequest)].join('\n');
    let key = hmac(`AWS4${credentials.secretAccessKey}`, '20300102');
    for (const part of ['eu-west-1', 'execute-api', 'aws4_request']) key = hmac(key, part);
    const signature = createHmac('sha256', key).update(stringToSign).digest('hex');

    expect(headers.authorization).toBe(
      `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/${scope}, SignedHeaders=content-type;host;x-amz-date, Signature=${signature}`,
    );
    expect(headers.host).toBe(url.host);
  });

  it('adds the session token of temporary credentials and signs it', async () => {
    const headers = await signRequest(
      { method: 'GET', url: new URL('https://x.execute-api.us-east-1.amazonaws.com/prod/admin/tenants/default') },
      {
        region: 'us-east-1',
        credentials: async () => ({ ...credentials, sessionToken: 'FQoGZXIvYXdzEXAMPLE' }),
        signingDate: new Date('2030-01-02T03:04:05Z'),
      },
    );
    expect(headers['x-amz-security-token']).toBe('FQoGZXIvYXdzEXAMPLE');
    expect(headers.authorization).toContain('SignedHeaders=host;x-amz-date;x-amz-security-token,');
  });
});
