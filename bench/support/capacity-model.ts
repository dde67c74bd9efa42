// DynamoDB Local reports a flat 4 (8 with an index or an item over 1 KB) write units for a whole
// TransactWriteItems call, whatever the number of items (measured: 1 and 10 tiny Puts both give
// 4). Its numbers for single-item writes, reads and Batch calls follow DynamoDB's rules, so the
// bench keeps those and recomputes transactions by the published rules:
//
//   - every item of a transaction (Put, Update, Delete, ConditionCheck) costs 2 WRU per started KB;
//   - an item that has a key in a global secondary index (projection ALL) also writes that index:
//     1 WRU per started KB, per index (index writes are not part of the transaction).
//
// Item sizes: Puts are sized from the request (attribute names + values, DynamoDB's rules); for
// Update/Delete/ConditionCheck the item is not in the request, and every item these touch here
// (group, tenant counter, userName claim, membership) is under 1 KB, so 1 KB is assumed. Which
// of those items carry an index key is read off the key layout in shared/store/keys.ts.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { TABLE } from '#store/table.ts';

type AttributeValue = {
  S?: string;
  N?: string;
  B?: Uint8Array;
  BOOL?: boolean;
  NULL?: boolean;
  M?: Record<string, AttributeValue>;
  L?: AttributeValue[];
  SS?: string[];
  NS?: string[];
};

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');

function valueSize(v: AttributeValue): number {
  if (v.S !== undefined) return utf8(v.S);
  if (v.N !== undefined) return Math.ceil(v.N.replace(/^-|\.|e.*$/gi, '').length / 2) + 1;
  if (v.B !== undefined) return v.B.length;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.M) return 3 + Object.entries(v.M).reduce((s, [k, x]) => s + utf8(k) + valueSize(x) + 1, 0);
  if (v.L) return 3 + v.L.reduce((s, x) => s + valueSize(x) + 1, 0);
  if (v.SS) return v.SS.reduce((s, x) => s + utf8(x), 0);
  if (v.NS) return v.NS.reduce((s, x) => s + x.length, 0);
  return 0;
}

export function itemSize(item: Record<string, AttributeValue>): number {
  return Object.entries(item).reduce((s, [k, v]) => s + utf8(k) + valueSize(v), 0);
}

const INDEXES = Object.values(TABLE.indexes);

/** Index entries an item written by key only (Update/Delete) has, from the key layout. */
function indexesOfKey(pk: string): number {
  if (/^T#[^#]+#GROUP$/.test(pk)) return 1; // displayName (and externalId when set)
  if (/^T#[^#]+#USER$/.test(pk)) return 1; // externalId
  if (/^T#[^#]+#MEMBERS#/.test(pk)) return 1; // inverted membership
  return 0; // tenant item, userName claim, page cursor
}

interface TransactItem {
  Put?: { Item: Record<string, AttributeValue> };
  Update?: { Key: Record<string, AttributeValue> };
  Delete?: { Key: Record<string, AttributeValue> };
  ConditionCheck?: { Key: Record<string, AttributeValue> };
}

/** Write units of a TransactWriteItems request by DynamoDB's published rules (see the header). */
export function transactionWriteUnits(items: TransactItem[]): number {
  let units = 0;
  for (const item of items) {
    if (item.Put) {
      const kb = Math.max(1, Math.ceil(itemSize(item.Put.Item) / 1024));
      units += 2 * kb;
      units += kb * INDEXES.filter((i) => item.Put!.Item[i.partitionKey] && item.Put!.Item[i.sortKey]).length;
    } else if (item.Update || item.Delete) {
      const key = (item.Update ?? item.Delete)!.Key;
      units += 2 + indexesOfKey(key.pk?.S ?? '');
    } else if (item.ConditionCheck) {
      units += 2;
    }
  }
  return units;
}

/**
 * Tallies, for the calls made since the last `take()`, what DynamoDB Local reported for
 * transactions and what the rules above give. The bench sends its measured requests one at a
 * time, so the tally between two takes belongs to one request.
 */
export class TransactionCapacityModel {
  private reported = 0;
  private modelled = 0;

  attach(client: Pick<DynamoDBClient, 'middlewareStack'>): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (context.commandName === 'TransactWriteItemsCommand') {
          const input = args.input as { TransactItems?: TransactItem[] };
          const consumed =
            (result.output as { ConsumedCapacity?: { CapacityUnits?: number }[] }).ConsumedCapacity ?? [];
          this.reported += consumed.reduce((s, c) => s + (c.CapacityUnits ?? 0), 0);
          this.modelled += transactionWriteUnits(input.TransactItems ?? []);
        }
        return result;
      },
      { step: 'build', name: 'benchTransactionCapacityModel' },
    );
  }

  take(): { reported: number; modelled: number } {
    const out = { reported: this.reported, modelled: this.modelled };
    this.reported = 0;
    this.modelled = 0;
    return out;
  }
}
