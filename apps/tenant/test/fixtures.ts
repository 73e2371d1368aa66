import { ManualClock } from '../src/clock.ts';
import { hashPassword, sha256 } from '../src/crypto/secrets.ts';
import { managementAudience } from '../src/deps.ts';
import { DEFAULT_REFRESH_TOKEN_POLICY } from '../src/domain/defaults.ts';
import { MANAGEMENT_SCOPES } from '../src/management/system-api.ts';
import { memoryLogger } from '../src/observability/logger.ts';
import type { ClientRecord, RefreshTokenPolicy, UserRecord } from '../src/domain/model.ts';
import type { TenantStore } from '../src/store/types.ts';
import { createTenant, type TenantConfig } from '../src/tenant.ts';
import { dropSchema } from './postgres.ts';

/**
 * Where test tenants live: in-memory SQLite, or with TEST_STORE=postgres a schema of their
 * own on TEST_DATABASE_URL, dropped when the tenant closes.
 */
export function testStorage(): { storage: string; schema?: string; cleanup(): Promise<void> } {
  if (process.env.TEST_STORE !== 'postgres') return { storage: ':memory:', cleanup: async () => {} };
  const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `t_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  return { storage: url, schema, cleanup: () => dropSchema(url, schema) };
}

export const ISSUER = 'https://tenant.test/';
export const API = 'https://api.test/';
export const PASSWORD = 'correct horse battery staple';
export const M2M_SECRET = 'm2m-secret-for-tests-0000000000000000';
export const WEB_SECRET = 'web-secret-for-tests-0000000000000000';

/** Rotating, expiring lifetimes: the mobile-app case. */
export const ROTATING: RefreshTokenPolicy = {
  ...DEFAULT_REFRESH_TOKEN_POLICY,
  rotation_type: 'rotating',
  expiration_type: 'expiring',
  infinite_token_lifetime: false,
  infinite_idle_token_lifetime: false,
  token_lifetime: 30 * 86_400,
  idle_token_lifetime: 7 * 86_400,
};

let passwordHash: Promise<string> | undefined;
/** One scrypt hash per test run: hashing is deliberately slow. */
export const testPasswordHash = () => (passwordHash ??= hashPassword(PASSWORD));

export function client(overrides: Partial<ClientRecord> & { client_id: string; secret?: string }): ClientRecord {
  const { secret, ...rest } = overrides;
  return {
    name: overrides.client_id,
    description: '',
    app_type: 'native',
    client_secret_hash: secret ? sha256(secret) : null,
    token_endpoint_auth_method: secret ? 'client_secret_post' : 'none',
    callbacks: ['https://app.test/callback'],
    allowed_logout_urls: ['https://app.test/'],
    grant_types: ['authorization_code', 'refresh_token', 'password'],
    refresh_token: ROTATING,
    is_first_party: true,
    created_at: 0,
    updated_at: 0,
    ...rest,
  };
}

export async function user(store: TenantStore, email: string, extra: Partial<UserRecord> = {}): Promise<UserRecord> {
  const record: UserRecord = {
    user_id: `auth0|${email.split('@')[0]}`,
    email,
    email_verified: true,
    name: email.split('@')[0]!,
    nickname: email.split('@')[0]!,
    given_name: null,
    family_name: null,
    picture: null,
    password_hash: await testPasswordHash(),
    app_metadata: {},
    user_metadata: {},
    blocked: false,
    created_at: 0,
    updated_at: 0,
    last_login: null,
    last_ip: null,
    logins_count: 0,
    ...extra,
  };
  await store.directory.putUser(record);
  return record;
}

/**
 * A tenant in memory with a manual clock and a known cast: public rotating `mobile`,
 * `leeway` (rotating with a 10 s reuse interval), confidential non-rotating `web`, and `m2m`
 * with every Management API scope; users alice and bob.
 */
export async function testTenant(config: Partial<TenantConfig> = {}) {
  const clock = new ManualClock();
  const logger = memoryLogger();
  const where = testStorage();
  const tenant = await createTenant({
    issuer: ISSUER,
    storage: where.storage,
    ...(where.schema ? { schema: where.schema } : {}),
    clock,
    logger,
    ...config,
  });
  const { store } = tenant.deps;
  await store.directory.putResourceServer({
    id: 'api',
    identifier: API,
    name: 'Test API',
    scopes: [
      { value: 'read:things', description: '' },
      { value: 'write:things', description: '' },
    ],
    token_lifetime: 3600,
    allow_offline_access: true,
    is_system: false,
  });
  await store.directory.putClient(client({ client_id: 'mobile' }));
  await store.directory.putClient(client({ client_id: 'leeway', refresh_token: { ...ROTATING, leeway: 10 } }));
  await store.directory.putClient(
    client({
      client_id: 'web',
      secret: WEB_SECRET,
      app_type: 'regular_web',
      refresh_token: DEFAULT_REFRESH_TOKEN_POLICY,
    }),
  );
  await store.directory.putClient(
    client({ client_id: 'm2m', secret: M2M_SECRET, app_type: 'non_interactive', grant_types: ['client_credentials'] }),
  );
  await store.directory.putClientGrant({
    id: 'cgr_1',
    client_id: 'm2m',
    audience: managementAudience(ISSUER),
    scope: [...MANAGEMENT_SCOPES],
  });
  await store.directory.putClientGrant({ id: 'cgr_2', client_id: 'm2m', audience: API, scope: ['read:things'] });
  const alice = await user(store, 'alice@test.example');
  const bob = await user(store, 'bob@test.example');

  /** POST a form to the tenant, in process. */
  const post = (path: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
    tenant.app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form).toString(),
    });

  /** Password grant for a refresh token on a named device. */
  const login = async (
    clientId = 'mobile',
    opts: { username?: string; device?: string; audience?: string; scope?: string } = {},
  ) => {
    const res = await post('/oauth/token', {
      grant_type: 'password',
      client_id: clientId,
      ...(clientId === 'web' ? { client_secret: WEB_SECRET } : {}),
      username: opts.username ?? alice.email,
      password: PASSWORD,
      scope: opts.scope ?? 'openid profile offline_access',
      ...(opts.device ? { device: opts.device } : {}),
      ...(opts.audience ? { audience: opts.audience } : {}),
    });
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
    return (await res.json()) as { access_token: string; refresh_token: string; id_token?: string; expires_in: number };
  };

  const refresh = (refreshToken: string, clientId = 'mobile', extra: Record<string, string> = {}) =>
    post('/oauth/token', {
      grant_type: 'refresh_token',
      client_id: clientId,
      refresh_token: refreshToken,
      ...(clientId === 'web' ? { client_secret: WEB_SECRET } : {}),
      ...extra,
    });

  const managementToken = async (scope?: string) => {
    const res = await post('/oauth/token', {
      grant_type: 'client_credentials',
      client_id: 'm2m',
      client_secret: M2M_SECRET,
      audience: managementAudience(ISSUER),
      ...(scope ? { scope } : {}),
    });
    return ((await res.json()) as { access_token: string }).access_token;
  };

  const close = async () => {
    await tenant.close();
    await where.cleanup();
  };
  return { tenant, store, clock, logger, alice, bob, post, login, refresh, managementToken, close };
}

export type TestTenant = Awaited<ReturnType<typeof testTenant>>;
