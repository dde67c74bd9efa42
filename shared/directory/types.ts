// What every directory use case is given: its dependencies and who is asking.
import type { SchemaRegistry } from '#scim/schema/registry.ts';
import type { Db } from '#store/client.ts';

export interface DirectoryDeps {
  db: Db;
  registry: SchemaRegistry;
  clock: () => Date;
}

export interface Caller {
  tenantId: string;
  /** `https://host/stage/scim/v2` */
  scimBase: string;
  /** The SCIM token making the request (by id): recorded on what it writes (events name it). */
  tokenId?: string;
}

/** `attributes` / `excludedAttributes` as sent (RFC 7644 §3.4.2.5). */
export interface Projection {
  attributes?: string;
  excludedAttributes?: string;
}
