// Token names for events' actors. Items record the acting token by id only; its name (the label
// an admin gave it, e.g. "okta-prod") is looked up once per token and container. Names never
// change, so the cache only forgets to bound its size.
import type { StoreContext } from '#store/tenants.ts';
import { tokenNameOf } from '#store/tokens.ts';

const MAX_CACHED = 1000;

export function tokenNames(ctx: StoreContext): (tenantId: string, tokenId: string) => Promise<string | undefined> {
  const cache = new Map<string, string>();
  return async (tenantId, tokenId) => {
    const key = `${tenantId}/${tokenId}`;
    const known = cache.get(key);
    if (known !== undefined) return known;
    const name = await tokenNameOf(ctx, tenantId, tokenId);
    // A token whose item TTL (or provisioning off) removed from the index: no name, and nothing
    // cached (it cannot reappear anyway). A revoked token keeps its name until then.
    if (name !== undefined) {
      if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
      cache.set(key, name);
    }
    return name;
  };
}
