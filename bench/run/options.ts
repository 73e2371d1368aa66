/** The bench's command line and the sizes it picks (bench/run.ts documents the options). */
import { parseArgs } from 'node:util';

export const { values: OPTIONS } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    json: { type: 'string' },
    postgres: { type: 'boolean' },
    'soak-minutes': { type: 'string' },
  },
});
/** The soak's length: `-- --soak-minutes N` (0 skips it); 10 by default, 1 with --quick. */
export const SOAK_MINUTES =
  OPTIONS['soak-minutes'] !== undefined ? Number(OPTIONS['soak-minutes']) : OPTIONS.quick ? 1 : 10;
if (!Number.isInteger(SOAK_MINUTES) || SOAK_MINUTES < 0)
  throw new Error('--soak-minutes must be a whole number of minutes');
export const SIZE = OPTIONS.quick
  ? { users: 10_000, tokens: 150_000, heavy: 10_000, bulk: 20_000, medium: 1_000, seconds: 5, peerTokens: 150_000 }
  : {
      users: 100_000,
      tokens: 1_000_000,
      heavy: 10_000,
      bulk: 100_000,
      medium: 1_000,
      seconds: 10,
      peerTokens: 300_000,
    };
/** The generator's seed: token i's value is `generatedTokenValue(SEED, i)`, on every side. */
export const SEED = 'bench';
/** The tenant's settings for the bench: no rate limit in the way of the load, no demo data. */
export const TENANT_ENV = {
  TENANT_REFRESH_RATE_LIMIT: '1000000',
  TENANT_MANAGEMENT_RATE_LIMIT: '1000000',
  TENANT_DEMO: '0',
};
