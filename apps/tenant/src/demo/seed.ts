import { hashPassword, randomSecret, sha256 } from '../crypto/secrets.ts';
import { asnOf } from '@rtc/ip-intel';
import { ids } from '../domain/ids.ts';
import { mintRefreshToken } from '../domain/refresh-tokens.ts';
import { managementAudience, userinfoAudience } from '../deps.ts';
import { DEFAULT_REFRESH_TOKEN_POLICY, DEFAULT_TENANT_SETTINGS } from '../domain/defaults.ts';
import type { ClientRecord, RefreshTokenPolicy, SessionRecord, UserRecord } from '../domain/model.ts';
import type { TenantStore } from '../store/types.ts';
import { MANAGEMENT_API_ID, MANAGEMENT_SCOPES, managementApiScopes } from '../management/system-api.ts';
import { DEMO, demoEndUser } from './demo-data.ts';
import { DEVICES } from './names.ts';
import { prng } from './prng.ts';

const DAY = 86_400_000;
/** The legacy grant /delegation needs (Auth0's 'Refresh Tokens' and legacy 'refresh_token' pages); the demo turns it on. */
const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

const ROTATING: RefreshTokenPolicy = {
  ...DEFAULT_REFRESH_TOKEN_POLICY,
  rotation_type: 'rotating',
  expiration_type: 'expiring',
  infinite_token_lifetime: false,
  infinite_idle_token_lifetime: false,
  token_lifetime: 2_592_000,
  idle_token_lifetime: 1_296_000,
};

/**
 * The demo tenant: staff for the dashboard, ~50 end users, the applications of a small
 * company, an API, and refresh tokens on named devices with believable IPs and agents.
 * Client ids and secrets are fixed (README lists them); everything else is drawn from a
 * seeded generator, so every fresh demo looks the same.
 */
export async function seedDemoTenant(
  store: TenantStore,
  input: { issuer: string; now: number; endUsers?: number },
): Promise<void> {
  const { issuer, now } = input;
  const random = prng(20260101);
  // First, so that even a seed cut short leaves the store marked (createTenant's refuseDemoData).
  await store.settings.markDemo(now);
  await store.settings.updateSettings(() => ({
    ...DEFAULT_TENANT_SETTINGS,
    friendly_name: 'Acme (demo)',
    support_email: 'support@acme.test',
    // The legacy /delegation endpoint is on in the demo, so it can be tried (Auth0's 'Refresh Tokens'
    // and legacy 'refresh_token' pages).
    flags: { ...DEFAULT_TENANT_SETTINGS.flags, allow_legacy_delegation_grant_types: true },
  }));

  await store.directory.putResourceServer({
    id: ids.resourceServer(),
    identifier: DEMO.api.identifier,
    name: DEMO.api.name,
    scopes: DEMO.api.scopes.map((value) => ({ value, description: value })),
    token_lifetime: 86_400,
    allow_offline_access: true,
    is_system: false,
  });
  await store.directory.putResourceServer({
    id: MANAGEMENT_API_ID,
    identifier: managementAudience(issuer),
    name: 'Auth0 Management API',
    scopes: managementApiScopes(),
    token_lifetime: 86_400,
    allow_offline_access: false,
    is_system: true,
  });

  type ClientSeed = Omit<
    ClientRecord,
    | 'client_secret_hash'
    | 'created_at'
    | 'updated_at'
    | 'is_first_party'
    | 'allowed_logout_urls'
    | 'description'
    | 'callbacks'
  > & {
    callbacks: readonly string[];
    secret?: string;
    logout?: readonly string[];
  };
  const client = (c: ClientSeed): ClientRecord => ({
    client_id: c.client_id,
    name: c.name,
    description: '',
    app_type: c.app_type,
    client_secret_hash: c.secret ? sha256(c.secret) : null,
    token_endpoint_auth_method: c.token_endpoint_auth_method,
    callbacks: [...c.callbacks],
    allowed_logout_urls: [...(c.logout ?? [])],
    grant_types: c.grant_types,
    refresh_token: c.refresh_token,
    is_first_party: true,
    created_at: now - 400 * DAY,
    updated_at: now - 400 * DAY,
  });
  const clients = [
    client({
      ...DEMO.clients.mobile,
      app_type: 'native',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token', 'password', JWT_BEARER_GRANT],
      refresh_token: ROTATING,
    }),
    client({
      ...DEMO.clients.web,
      app_type: 'regular_web',
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: ['authorization_code', 'refresh_token', 'password', JWT_BEARER_GRANT],
      refresh_token: DEFAULT_REFRESH_TOKEN_POLICY,
    }),
    client({
      ...DEMO.clients.spa,
      app_type: 'spa',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      refresh_token: { ...ROTATING, leeway: 5 },
    }),
    client({
      ...DEMO.clients.dashboard,
      app_type: 'regular_web',
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: ['authorization_code', 'refresh_token'],
      refresh_token: DEFAULT_REFRESH_TOKEN_POLICY,
    }),
    client({
      ...DEMO.clients.management,
      app_type: 'non_interactive',
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: ['client_credentials'],
      refresh_token: DEFAULT_REFRESH_TOKEN_POLICY,
    }),
  ];
  for (const c of clients) await store.directory.putClient(c);
  await store.directory.putClientGrant({
    id: ids.clientGrant(),
    client_id: DEMO.clients.management.client_id,
    audience: managementAudience(issuer),
    scope: [...MANAGEMENT_SCOPES],
  });

  // Staff of the dashboard: the role is a custom ID-token claim (what an Auth0 Action would add).
  for (const staff of DEMO.staff) {
    await store.directory.putUser(
      user({
        user_id: staff.user_id,
        email: staff.email,
        name: staff.name,
        password_hash: await hashPassword(staff.password),
        app_metadata: { custom_claims: { [DEMO.rolesClaim]: [staff.role] } },
        created_at: now - 300 * DAY,
      }),
    );
  }

  // End users share one password hash: hashing 50 times would only slow the first start.
  const endUserHash = await hashPassword(DEMO.endUserPassword);
  const count = input.endUsers ?? 50;
  const [mobile, web, spa] = clients as [ClientRecord, ClientRecord, ClientRecord];
  const apps = [
    {
      client: mobile,
      audience: DEMO.api.identifier,
      scope: ['openid', 'profile', 'email', 'offline_access', 'read:orders', 'write:orders'],
    },
    { client: web, audience: userinfoAudience(issuer), scope: ['openid', 'profile', 'email', 'offline_access'] },
    { client: spa, audience: DEMO.api.identifier, scope: ['openid', 'profile', 'offline_access', 'read:orders'] },
  ];

  for (let i = 0; i < count; i++) {
    const createdAt = now - Math.floor(random() * 200 + 30) * DAY;
    const endUser = user({
      ...demoEndUser(i),
      password_hash: endUserHash,
      app_metadata: {},
      created_at: createdAt,
    });
    endUser.last_login = now - Math.floor(random() * 5 * DAY);
    endUser.logins_count = 3 + Math.floor(random() * 60);
    await store.directory.putUser(endUser);

    // Two to four devices per user, each with tokens of one to three applications.
    const deviceCount = 2 + Math.floor(random() * 3);
    const offset = Math.floor(random() * DEVICES.length);
    let latestSignIn: { at: number; ip: string } | undefined;
    for (let d = 0; d < deviceCount; d++) {
      const device = DEVICES[(offset + d) % DEVICES.length]!;
      const ip = device.ips[Math.floor(random() * device.ips.length)]!;
      const issuedAt = now - Math.floor(random() * 25 * DAY) - DAY;
      if (!latestSignIn || issuedAt > latestSignIn.at) latestSignIn = { at: issuedAt, ip };
      const session: SessionRecord = {
        id: ids.session(issuedAt),
        user_id: endUser.user_id,
        created_at: issuedAt,
        updated_at: issuedAt,
        authenticated_at: issuedAt,
        last_interacted_at: issuedAt,
        idle_expires_at: now + 20 * 3_600_000,
        expires_at: now + 48 * 3_600_000,
        device: {
          initial_ip: ip,
          initial_asn: asnOf(ip),
          initial_user_agent: device.userAgent,
          last_ip: ip,
          last_asn: asnOf(ip),
          last_user_agent: device.userAgent,
        },
        clients: [],
        authentication_methods: [{ name: 'pwd', timestamp: issuedAt }],
        revoked_at: null,
      };
      const appsOnDevice = apps.filter((a) => device.apps.includes(a.client.app_type));
      const used = appsOnDevice.slice(0, 1 + Math.floor(random() * appsOnDevice.length));
      session.clients = used.map((a) => a.client.client_id);
      await store.sessions.createSession(session, sha256(randomSecret()));
      for (const app of used) {
        const grant = await store.directory.upsertGrant(
          { user_id: endUser.user_id, client_id: app.client.client_id, audience: app.audience, scope: app.scope },
          ids.grant(),
          issuedAt,
        );
        const minted = mintRefreshToken({
          client: app.client,
          user_id: endUser.user_id,
          grant_id: grant.id,
          session_id: session.id,
          device_name: device.name,
          audience: app.audience,
          scope: app.scope,
          resource_servers: [{ audience: app.audience, scopes: app.scope.join(' ') }],
          device: session.device,
          now: issuedAt,
        });
        await store.refreshTokens.issueRefreshToken(minted.record, 200);
      }
    }
    // A login leaves its address on the user (Auth0's last_ip), as /u/login does: without it
    // the user's Details showed no address beside a last login, while their devices and
    // sessions showed several. The latest device sign-in's address is the last one known.
    if (latestSignIn) await store.directory.putUser({ ...endUser, last_ip: latestSignIn.ip });
  }
}

function user(
  u: Pick<UserRecord, 'user_id' | 'email' | 'name' | 'password_hash' | 'app_metadata' | 'created_at'>,
): UserRecord {
  const [given, ...family] = u.name.split(' ');
  return {
    ...u,
    email_verified: true,
    nickname: u.email.split('@')[0]!,
    given_name: given ?? null,
    family_name: family.join(' ') || null,
    picture: null,
    user_metadata: {},
    blocked: false,
    updated_at: u.created_at,
    last_login: null,
    last_ip: null,
    logins_count: 0,
  };
}
