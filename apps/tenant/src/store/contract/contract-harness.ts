import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { randomSecret, sha256 } from '../../crypto/secrets.ts';
import { mintRefreshToken, planExchange } from '../../domain/refresh-tokens.ts';
import { DEFAULT_REFRESH_TOKEN_POLICY } from '../../domain/defaults.ts';
import { openPostgresStore } from '../postgres/postgres-store.ts';
import { openSqliteStore } from '../sqlite/sqlite-store.ts';
import { postgresForTests } from '../../../test/postgres.ts';
import type { ClientRecord, UserRecord } from '../../domain/model.ts';
import type { TenantStore } from '../types.ts';

/**
 * The harness every contract file (contract/<aggregate>.contract.test.ts) shares: the stores
 * under test, and the fixtures their tests build on. Not a test file itself.
 *
 * One contract, every store. A new store joins by adding a factory here; a store that
 * cannot run (no server reachable) is reported as skipped with the reason.
 */
const postgres = await postgresForTests();

export interface StoreUnderTest {
  name: string;
  /** A fresh, empty store of its own. */
  open: () => Promise<TenantStore>;
  /**
   * Two instances on one fresh database, as two tenant processes see it (what "across every
   * instance" in the contract means). Close the second first: the first owns the database.
   */
  openTwo: () => Promise<[TenantStore, TenantStore]>;
  skip?: string;
}

export const STORES: StoreUnderTest[] = [
  {
    name: 'sqlite',
    open: async () => openSqliteStore(':memory:'),
    openTwo: async () => {
      // Two connections need a file; it goes when the first instance closes.
      const dir = mkdtempSync(join(tmpdir(), 'rtc-contract-'));
      const path = join(dir, 'tenant.sqlite');
      const first = openSqliteStore(path);
      const second = openSqliteStore(path);
      const close = first.close.bind(first);
      first.close = async () => {
        await close();
        rmSync(dir, { recursive: true, force: true });
      };
      return [first, second];
    },
  },
  {
    name: 'postgres',
    open: async () => postgres.track(await openPostgresStore(postgres.url, { schema: postgres.schema() })),
    openTwo: async () => {
      const schema = postgres.schema();
      const first = postgres.track(await openPostgresStore(postgres.url, { schema }));
      return [first, await openPostgresStore(postgres.url, { schema })];
    },
    ...(postgres.skip ? { skip: postgres.skip } : {}),
  },
];

export type WithStore = (fn: (store: TenantStore) => Promise<void>) => () => Promise<void>;
export type WithTwoInstances = (fn: (first: TenantStore, second: TenantStore) => Promise<void>) => () => Promise<void>;

/**
 * Declares a contract file's tests once per store, under the same title for every file
 * (`TenantStore contract: <store>`), so a test's full name does not depend on which file holds it.
 */
export function describeContract(
  tests: (harness: { withStore: WithStore; withTwoInstances: WithTwoInstances; storeName: string }) => void,
): void {
  for (const { name, open, openTwo, skip } of STORES) {
    describe.skipIf(!!skip)(`TenantStore contract: ${name}${skip ? ` (skipped: ${skip})` : ''}`, () => {
      const withStore: WithStore = (fn) => async () => {
        const store = await open();
        try {
          await fn(store);
        } finally {
          await store.close();
        }
      };
      const withTwoInstances: WithTwoInstances = (fn) => async () => {
        const [first, second] = await openTwo();
        try {
          await fn(first, second);
        } finally {
          await second.close();
          await first.close();
        }
      };
      tests({ withStore, withTwoInstances, storeName: name });
    });
  }
}

export const T0 = Date.UTC(2026, 0, 1);

export const client: ClientRecord = {
  client_id: 'app',
  name: 'App',
  description: '',
  app_type: 'native',
  client_secret_hash: null,
  token_endpoint_auth_method: 'none',
  callbacks: [],
  allowed_logout_urls: [],
  grant_types: ['refresh_token'],
  refresh_token: {
    ...DEFAULT_REFRESH_TOKEN_POLICY,
    rotation_type: 'rotating',
    expiration_type: 'expiring',
    infinite_token_lifetime: false,
    infinite_idle_token_lifetime: false,
  },
  is_first_party: true,
  created_at: T0,
  updated_at: T0,
};

export function mint(
  user_id: string,
  now: number,
  extra: { grant_id?: string; session_id?: string; device_name?: string } = {},
) {
  return mintRefreshToken({
    client,
    user_id,
    grant_id: extra.grant_id ?? null,
    session_id: extra.session_id ?? null,
    device_name: extra.device_name ?? null,
    audience: 'https://api/',
    scope: ['offline_access'],
    resource_servers: [{ audience: 'https://api/', scopes: 'offline_access' }],
    device: {
      initial_ip: null,
      initial_asn: null,
      initial_user_agent: null,
      last_ip: null,
      last_asn: null,
      last_user_agent: null,
    },
    now,
  });
}

export const userRecord = (user_id: string, email: string): UserRecord => ({
  user_id,
  email,
  email_verified: false,
  name: email,
  nickname: email,
  given_name: null,
  family_name: null,
  picture: null,
  password_hash: null,
  app_metadata: {},
  user_metadata: {},
  blocked: false,
  created_at: T0,
  updated_at: T0,
  last_login: null,
  last_ip: null,
  logins_count: 0,
});

/** One exchange of `value` by the app; `options` replace the new secret's hash or add the exchange's log entry. */
export const exchange = (
  store: TenantStore,
  value: string,
  now: number,
  options: Partial<Pick<Parameters<typeof planExchange>[0], 'newSecretHash' | 'exchangeEvent'>> = {},
) =>
  store.refreshTokens.rotateRefreshToken(
    sha256(value),
    now,
    planExchange({
      clientId: 'app',
      now,
      newSecretHash: sha256(randomSecret()),
      ip: null,
      asn: null,
      userAgent: null,
      dpopJkt: null,
      ...options,
    }),
  );
