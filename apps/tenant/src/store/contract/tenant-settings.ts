import type { RateLimiter, WhenFull } from '../../domain/rate-limiter.ts';
import type { TenantSettings } from '../../domain/model.ts';

/** The tenant itself: its settings, signing keys and secrets, and what its instances share (locks, rate-limit counts). */
export interface TenantSettingsStore {
  getSettings(): Promise<TenantSettings>;
  updateSettings(patch: (current: TenantSettings) => TenantSettings): Promise<TenantSettings>;
  getSigningKeys(): Promise<{ kid: string; privateJwk: string; publicJwk: string }[]>;
  /** Stores the key only if the tenant has none yet: several instances starting at once agree on one. */
  addFirstSigningKey(key: { kid: string; privateJwk: string; publicJwk: string; created_at: number }): Promise<void>;
  /** Runs `fn` while holding a lock named `name` across every instance on this database. */
  exclusive<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** A fixed-window rate limiter whose counts every instance on this database shares; `whenFull` for stores that bound them in memory. */
  createRateLimiter(limit: number, windowMs: number, options?: { whenFull?: WhenFull }): RateLimiter;
  /** A random secret of the tenant's own (cookie signing), created once. */
  getOrCreateSecret(name: string, create: () => string): Promise<string>;
  isEmpty(): Promise<boolean>;
  /**
   * Records that the demo seed wrote this store (its published passwords and secrets), for
   * good: whatever becomes of the demo's clients or users, `isDemo` says so at every start.
   */
  markDemo(now: number): Promise<void>;
  isDemo(): Promise<boolean>;
}
