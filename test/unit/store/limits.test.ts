// The store's last lines of defence (docs/limits.md): keys measured against DynamoDB's limits
// before they are used, and DynamoDB failures turned into what the client should get.
import { describe, expect, it } from 'vitest';
import { ServiceUnavailableError } from '#scim/errors.ts';
import { classifyDynamoDbError } from '#store/client.ts';
import { isResourceId, keyFits, keys, KeyValueTooLong, MAX_PARTITION_KEY_BYTES } from '#store/keys.ts';
import { SameItemTwice, TransactionFailed } from '#store/transact.ts';

describe('keys stay inside DynamoDB limits', () => {
  it('ids are ULIDs as the directory mints them; nothing else is ours', () => {
    expect(isResourceId('01HZX3J4K5M6N7P8Q9R0S1T2V3')).toBe(true);
    for (const id of [
      '01hzx3j4k5m6n7p8q9r0s1t2v3',
      '01HZX3J4K5M6N7P8Q9R0S1T2V',
      'x'.repeat(1100),
      '01HZX3J4K5M6N7P8Q9R0S1T2VU',
    ])
      expect(isResourceId(id), id).toBe(false);
  });

  it('a key over 2,048 bytes (partition) or 1,024 (sort) is 400 invalidValue naming the value, in UTF-8 bytes after lower-casing', () => {
    // 700 × "İ" is 1,400 bytes as sent and 2,100 lower-cased (i + U+0307): too long as a key.
    const error = (() => {
      try {
        keys.userName('t', 'İ'.repeat(700));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(KeyValueTooLong);
    expect(error).toMatchObject({ status: 400, scimType: 'invalidValue', what: 'userName' });
    expect(() => keys.member('t', '01HZX3J4K5M6N7P8Q9R0S1T2V3', 'm'.repeat(1025))).toThrow(
      /member value is 1025 bytes/,
    );
    expect(() => keys.groupDisplayName('t', 'd'.repeat(MAX_PARTITION_KEY_BYTES))).toThrow(KeyValueTooLong);
    expect(keys.userName('t', 'x'.repeat(1024)).pk).toHaveLength(`T#t#USERNAME#`.length + 1024);
    expect(keyFits(() => keys.userExternalId('t', 'e'.repeat(3000)))).toBe(false);
    expect(keyFits(() => keys.userExternalId('t', 'e'.repeat(1000)))).toBe(true);
  });
});

describe('DynamoDB failures as the client sees them', () => {
  const sdkError = (name: string, extra: Record<string, unknown> = {}) =>
    Object.assign(new Error(name), { name, $metadata: { httpStatusCode: 400 }, ...extra });

  it('throttling, DynamoDB 5xx, timeouts and connection errors are 503 with Retry-After', () => {
    for (const error of [
      sdkError('ProvisionedThroughputExceededException'),
      sdkError('ThrottlingException'),
      sdkError('RequestLimitExceeded'),
      sdkError('InternalServerError', { $metadata: { httpStatusCode: 500 } }),
      sdkError('TimeoutError'),
      Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    ]) {
      const mapped = classifyDynamoDbError(error);
      expect(mapped, String(error)).toBeInstanceOf(ServiceUnavailableError);
      expect((mapped as ServiceUnavailableError).headers['Retry-After']).toBe('1');
    }
  });

  it('an item over 400 KB is the client’s 400; any other error is left as it is', () => {
    expect(
      classifyDynamoDbError(
        sdkError('ValidationException', { message: 'Item size has exceeded the maximum allowed size' }),
      ),
    ).toMatchObject({ status: 400, scimType: 'invalidValue' });
    const other = sdkError('ValidationException', { message: 'One or more parameter values were invalid' });
    expect(classifyDynamoDbError(other)).toBe(other);
    const condition = sdkError('ConditionalCheckFailedException');
    expect(classifyDynamoDbError(condition)).toBe(condition);
  });

  it('a cancelled transaction answers for itself: contention and throttling 503, an invalid item 400, else 500', () => {
    const busy = new TransactionFailed([
      { index: 0, code: 'None' },
      { index: 1, code: 'ThrottlingError' },
    ]);
    expect(busy).toMatchObject({ status: 503, headers: { 'Retry-After': '1' } });
    expect(new TransactionFailed([{ index: 0, code: 'TransactionConflict' }]).status).toBe(503);
    expect(
      new TransactionFailed([{ index: 0, code: 'ValidationError', message: 'Item size has exceeded' }]),
    ).toMatchObject({ status: 400, scimType: 'invalidValue' });
    const failed = new TransactionFailed([{ index: 0, code: 'ConditionalCheckFailed' }]);
    expect(failed.status).toBe(500);
    expect(failed.failed(0)).toBe(true);
    expect(failed.message).toBe('transaction cancelled: 0:ConditionalCheckFailed');
    expect(new SameItemTwice()).toMatchObject({ status: 400, scimType: 'invalidValue' });
  });
});
