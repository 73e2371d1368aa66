import type { Adapter, AdapterPayload } from 'oidc-provider';

/**
 * The in-memory peer's adapter: a Map. oidc-provider's own memory adapter is an LRU of 1,000
 * entries, which would evict most of the seeded tokens; this one keeps them all, with the
 * grant index that rotation's reuse detection and revocation need (`revokeByGrantId`).
 */
export function mapAdapter(): new (model: string) => Adapter {
  const storage = new Map<string, AdapterPayload>();
  const grantMembers = new Map<string, Set<string>>();
  return class MapAdapter implements Adapter {
    constructor(private readonly model: string) {}
    private key(id: string) {
      return `${this.model}:${id}`;
    }
    async upsert(id: string, payload: AdapterPayload) {
      const key = this.key(id);
      storage.set(key, payload);
      if (payload.grantId) {
        const members = grantMembers.get(payload.grantId) ?? new Set<string>();
        grantMembers.set(payload.grantId, members);
        members.add(key);
      }
    }
    async find(id: string) {
      return storage.get(this.key(id));
    }
    async findByUid(): Promise<undefined> {
      return undefined;
    }
    async findByUserCode(): Promise<undefined> {
      return undefined;
    }
    async consume(id: string) {
      const payload = storage.get(this.key(id));
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) {
      const key = this.key(id);
      const grantId = storage.get(key)?.grantId;
      storage.delete(key);
      if (grantId) grantMembers.get(grantId)?.delete(key);
    }
    async revokeByGrantId(grantId: string) {
      for (const key of grantMembers.get(grantId) ?? []) storage.delete(key);
      grantMembers.delete(grantId);
    }
  };
}
