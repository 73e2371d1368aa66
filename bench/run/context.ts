import type { Proc } from '@rtc/stack';

/** What every step of a bench run works on: the generated tenant, its processes, and how to reach them. */
export interface BenchContext {
  /** The tenant's data directory (its SQLite file is `tenant.sqlite` there). */
  dir: string;
  tenant: Proc;
  bffUrl: string;
  /** A Management API token's header. */
  auth: Record<string, string>;
  /** The first token index of the randomly owned users, even: the mobile app's tokens are the even ones from here. */
  even: number;
  /** Every process started, killed when the run ends. */
  procs: Proc[];
}
