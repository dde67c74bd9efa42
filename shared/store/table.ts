// The one table definition. CDK (infra/scim-api.ts) and the local runner (infra/local) both build
// the table from this object, so the deployed and the local table cannot disagree.

export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'ttl',
  /** The events function (shared/events) reads every change from the stream, with both images. */
  streamView: 'NEW_AND_OLD_IMAGES',
  indexes: {
    /** Lookups by an indexed value: user externalId, group displayName, a tenant's tokens. */
    gsi1: { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    /** Inverted memberships (groups of a member) and group externalId. */
    gsi2: { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  },
} as const;

export type IndexName = keyof typeof TABLE.indexes;

/** CreateTable input for DynamoDB Local and tests (on-demand, same keys and indexes as CDK). */
export function createTableInput(tableName: string) {
  const { partitionKey, sortKey, indexes } = TABLE;
  const attrs = new Set<string>([partitionKey, sortKey]);
  for (const index of Object.values(indexes)) {
    attrs.add(index.partitionKey);
    attrs.add(index.sortKey);
  }
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    StreamSpecification: { StreamEnabled: true, StreamViewType: TABLE.streamView },
    AttributeDefinitions: [...attrs].map((AttributeName) => ({ AttributeName, AttributeType: 'S' as const })),
    KeySchema: [
      { AttributeName: partitionKey, KeyType: 'HASH' as const },
      { AttributeName: sortKey, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: Object.values(indexes).map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
        { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: 'ALL' as const },
    })),
  };
}
