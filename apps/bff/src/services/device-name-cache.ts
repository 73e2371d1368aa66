import type { DeviceCredential } from '../management/gateway.ts';
import { deviceNamesByTokenId } from '../domain/user-view.ts';

interface Entry {
  at: number;
  /** Token id to device name, for every token the last load joined to a credential. */
  names: Map<string, string>;
  /** Token ids the last load covered, named or not: asking for them again needs no reload. */
  known: Set<string>;
  /** False when the tenant gave no way to join credentials to tokens (a real Auth0 tenant). */
  joinable: boolean;
}

/**
 * The device name of each of a user's refresh tokens, read from the user's device credentials
 * and kept for a short while, so that paging through thousands of tokens does not list every
 * credential again on every page. A token's device name is fixed when the token is issued, so
 * a kept name is never wrong; a token the last load did not cover (issued since) reloads the
 * user's list. On a tenant that offers no join (credentials that name no token), nothing is
 * ever named and nothing is reloaded early.
 */
export class DeviceNameCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly listCredentials: (userId: string) => Promise<DeviceCredential[]>,
    private readonly now: () => number,
    private readonly ttlMs = 30_000,
    private readonly maxUsers = 200,
  ) {}

  async namesFor(userId: string, tokenIds: string[]): Promise<Map<string, string>> {
    const entry = this.entries.get(userId);
    if (entry && this.now() - entry.at < this.ttlMs && (!entry.joinable || tokenIds.every((id) => entry.known.has(id)))) return entry.names;
    const credentials = await this.listCredentials(userId);
    const names = deviceNamesByTokenId(credentials);
    const joinable = credentials.length === 0 || credentials.some((c) => c.token_id !== null);
    // Ids asked for but not among the credentials have no device name; remembered as such.
    const known = new Set([...names.keys(), ...tokenIds]);
    this.entries.delete(userId);
    this.entries.set(userId, { at: this.now(), names, known, joinable });
    // The least recently loaded user goes first (a Map iterates in insertion order).
    while (this.entries.size > this.maxUsers) this.entries.delete(this.entries.keys().next().value!);
    return names;
  }

  /** After an action on the user: the next page reads the credentials again. */
  forget(userId: string): void {
    this.entries.delete(userId);
  }
}
