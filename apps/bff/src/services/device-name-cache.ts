import { MAX_TOKENS_LOADED, type DeviceCredential } from '../management/gateway.ts';
import { deviceNamesByTokenId } from '../domain/user-view.ts';

interface Entry {
  at: number;
  /** Token id to device name, for every token the last load joined to a credential. */
  names: Map<string, string>;
  /** Token ids the last load covered, named or not: asking for them again needs no reload. */
  known: Set<string>;
  /**
   * False when another load would name nothing new: the tenant gave no way to join credentials
   * to tokens (a real Auth0 tenant), or the load stopped at the cap (its names are all a reload
   * would give again).
   */
  reloadOnMiss: boolean;
}

/**
 * The device name of each of a user's refresh tokens, read from the user's device credentials
 * and kept for a short while, so that paging through thousands of tokens does not list every
 * credential again on every page. A token's device name is fixed when the token is issued, so
 * a kept name is never wrong; a token the last load did not cover (issued since) reloads the
 * user's list. On a tenant that offers no join (credentials that name no token), nothing is
 * ever named and nothing is reloaded early; nor past the cap on credentials read.
 *
 * Bounded by users and by names kept in all (a user of 10,000 tokens is 10,000 names): the
 * least recently loaded go first, and expired entries are dropped whenever one is written.
 */
export class DeviceNameCache {
  private readonly entries = new Map<string, Entry>();

  private namesKept = 0;

  constructor(
    private readonly listCredentials: (userId: string) => Promise<DeviceCredential[]>,
    private readonly now: () => number,
    private readonly options: { ttlMs?: number; maxUsers?: number; maxNames?: number; capPerUser?: number } = {},
  ) {}

  private get ttlMs() {
    return this.options.ttlMs ?? 30_000;
  }

  async namesFor(userId: string, tokenIds: string[]): Promise<Map<string, string>> {
    const entry = this.entries.get(userId);
    if (
      entry &&
      this.now() - entry.at < this.ttlMs &&
      (!entry.reloadOnMiss || tokenIds.every((id) => entry.known.has(id)))
    )
      return entry.names;
    const credentials = await this.listCredentials(userId);
    const names = deviceNamesByTokenId(credentials);
    const joinable = credentials.length === 0 || credentials.some((c) => c.token_id !== null);
    const capped = credentials.length >= (this.options.capPerUser ?? MAX_TOKENS_LOADED);
    // Ids asked for but not among the credentials have no device name; remembered as such.
    const known = new Set([...names.keys(), ...tokenIds]);
    this.remove(userId);
    this.entries.set(userId, { at: this.now(), names, known, reloadOnMiss: joinable && !capped });
    this.namesKept += names.size;
    this.evict();
    return names;
  }

  /** Expired entries, then the least recently loaded (a Map iterates in insertion order), until within bounds. */
  private evict(): void {
    const now = this.now();
    for (const [userId, entry] of this.entries) if (now - entry.at >= this.ttlMs) this.remove(userId);
    const maxUsers = this.options.maxUsers ?? 200;
    const maxNames = this.options.maxNames ?? 100_000;
    // The entry just written is last: it stays even if it alone is over the bound.
    while (this.entries.size > 1 && (this.entries.size > maxUsers || this.namesKept > maxNames))
      this.remove(this.entries.keys().next().value!);
  }

  private remove(userId: string): void {
    const entry = this.entries.get(userId);
    if (!entry) return;
    this.namesKept -= entry.names.size;
    this.entries.delete(userId);
  }

  /** After an action on the user: the next page reads the credentials again. */
  forget(userId: string): void {
    this.remove(userId);
  }
}
