import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ids } from '../domain/ids.ts';
import { asnOf } from '@rtc/ip-intel';
import { expiryOf } from '../domain/refresh-tokens.ts';
import { silentLogger } from '../observability/logger.ts';
import type { GrantRecord, NewRefreshToken, UserRecord } from '../domain/model.ts';
import { createTenant } from '../tenant.ts';
import { DEMO } from '../demo/demo-data.ts';
import { DEVICES } from '../demo/names.ts';
import { prng } from '../demo/prng.ts';

/**
 * The secret of generated token `index`: derived from the seed, so a benchmark can present
 * real, distinct, live tokens without the tenant ever storing a value.
 */
export function generatedTokenValue(seed: string, index: number): string {
  return createHash('sha256').update(`${seed}:${index}`).digest('base64url');
}

export interface GenerateOptions {
  /** A SQLite data directory or a `postgres://` URL. */
  dataDir: string;
  schema?: string;
  issuer: string;
  users: number;
  tokens: number;
  /** One user (`auth0|heavy`) gets this many of the tokens (the first ones). */
  heavyUserTokens: number;
  /** Then `auth0|bulk` gets this many (for the bulk-revocation figure). */
  bulkUserTokens?: number;
  /** Then `auth0|medium` gets this many (for the dashboard's figure). */
  mediumUserTokens?: number;
  /**
   * Half of the mobile app's tokens (index i with i % 4 === 2) for /userinfo only instead of
   * the demo API, so the bench can exchange both kinds (opaque access token, or a JWT one).
   * Off: every mobile token is for the demo API.
   */
  userinfoOnlyMobileTokens?: boolean;
  /** Every token of `auth0|medium` on one device (the first of the demo's), for unlinking a device of that many tokens. */
  mediumUserOnOneDevice?: boolean;
  seed: string;
  log?: (line: string) => void;
}

/**
 * Another host of the same network as `ip` (the last IPv4 octet, the last IPv6 group), picked
 * from `index`: a carrier or an ISP hands its customers many addresses, and a search by one
 * address must find a few hundred tokens among a million, not one in twenty. The network, and
 * so the ASN and country the lookup gives, stay those of the listed address.
 */
export function hostInNetwork(ip: string, index: number): string {
  // MurmurHash3's finaliser: neighbouring indexes land on unrelated hosts.
  let pick = Math.imul(index ^ (index >>> 16), 0x85ebca6b);
  pick = Math.imul(pick ^ (pick >>> 13), 0xc2b2ae35);
  pick = (pick ^ (pick >>> 16)) >>> 0;
  return ip.includes(':')
    ? ip.replace(/[0-9a-f]*$/, ((pick % 0xfffe) + 1).toString(16))
    : ip.replace(/\d+$/, String((pick % 254) + 1));
}

/** Builds a large tenant on top of the demo one, in batches of one transaction each. */
export async function generateTenant(options: GenerateOptions) {
  const started = performance.now();
  const log = options.log ?? ((line: string) => console.error(line));
  const tenant = await createTenant({
    issuer: options.issuer,
    storage: options.dataDir,
    ...(options.schema ? { schema: options.schema } : {}),
    demo: true,
    logger: silentLogger,
  });
  const { store } = tenant.deps;
  const mobile = (await store.directory.getClient(DEMO.clients.mobile.client_id))!;
  const web = (await store.directory.getClient(DEMO.clients.web.client_id))!;
  const clients = [mobile, web];
  const random = prng(42);
  const now = Date.now();
  const userId = (i: number) =>
    i === 0
      ? 'auth0|heavy'
      : i === 1
        ? 'auth0|bulk'
        : i === 2
          ? 'auth0|medium'
          : `auth0|gen${i.toString(36).padStart(8, '0')}`;
  const bulk = options.bulkUserTokens ?? 0;
  const medium = options.mediumUserTokens ?? 0;
  const BATCH = 20_000;

  for (let start = 0; start < options.users; start += BATCH) {
    const users: UserRecord[] = [];
    for (let i = start; i < Math.min(options.users, start + BATCH); i++) {
      users.push({
        user_id: userId(i),
        email: `user${i}@generated.test`,
        email_verified: true,
        name: `Generated User ${i}`,
        nickname: `user${i}`,
        given_name: 'Generated',
        family_name: `User ${i}`,
        picture: null,
        password_hash: null,
        app_metadata: {},
        user_metadata: {},
        blocked: false,
        created_at: now - 90 * 86_400_000,
        updated_at: now - 90 * 86_400_000,
        last_login: null,
        last_ip: null,
        logins_count: 0,
      });
    }
    await store.bulkImport({ users, grants: [], tokens: [] });
  }
  log(`users: ${options.users} in ${Math.round(performance.now() - started)} ms`);

  const grantIds = new Map<string, string>();
  // The tokens' indexes are built once at the end (see TenantStore.bulkLoad).
  await store.bulkLoad(async () => {
    for (let start = 0; start < options.tokens; start += BATCH) {
      const tokens: NewRefreshToken[] = [];
      const grants: GrantRecord[] = [];
      for (let i = start; i < Math.min(options.tokens, start + BATCH); i++) {
        const owner =
          i < options.heavyUserTokens
            ? 0
            : i < options.heavyUserTokens + bulk
              ? 1
              : i < options.heavyUserTokens + bulk + medium
                ? 2
                : 3 + Math.floor(random() * Math.max(1, options.users - 3));
        const client = clients[i % 2]!;
        const drawn = DEVICES[Math.floor(random() * DEVICES.length)]!;
        const device = options.mediumUserOnOneDevice && owner === 2 ? DEVICES[0]! : drawn;
        const ip = hostInNetwork(device.ips[i % device.ips.length]!, i);
        const forApi = client === mobile && !(options.userinfoOnlyMobileTokens && i % 4 === 2);
        const audience = forApi ? DEMO.api.identifier : `${tenant.deps.issuer}userinfo`;
        // A grant is one user's consent to one application for one audience, as Auth0's are.
        const grantKey = `${owner}|${client.client_id}|${audience}`;
        let grantId = grantIds.get(grantKey);
        if (!grantId) {
          grantId = ids.grant();
          grantIds.set(grantKey, grantId);
          grants.push({
            id: grantId,
            user_id: userId(owner),
            client_id: client.client_id,
            audience,
            scope: ['openid', 'offline_access'],
            created_at: now,
            updated_at: now,
          });
        }
        const createdAt = now - Math.floor(random() * 20 * 86_400_000);
        const secretHash = createHash('sha256').update(generatedTokenValue(options.seed, i)).digest();
        tokens.push({
          id: ids.refreshToken(createdAt),
          secretHash,
          user_id: userId(owner),
          client_id: client.client_id,
          grant_id: grantId,
          session_id: null,
          device_name: device.name,
          audience,
          scope: ['openid', 'offline_access'],
          resource_servers: [{ audience, scopes: 'openid offline_access' }],
          rotating: client.refresh_token.rotation_type === 'rotating',
          created_at: createdAt,
          leeway: client.refresh_token.leeway,
          device: {
            initial_ip: ip,
            initial_asn: asnOf(ip),
            initial_user_agent: device.userAgent,
            last_ip: ip,
            last_asn: asnOf(ip),
            last_user_agent: device.userAgent,
          },
          // Generated tokens live long enough for any benchmark run.
          ...expiryOf(
            { ...client.refresh_token, infinite_token_lifetime: true, infinite_idle_token_lifetime: true },
            createdAt,
          ),
        });
      }
      await store.bulkImport({ users: [], grants, tokens });
      if ((start / BATCH) % 10 === 9) log(`tokens: ${start + tokens.length} of ${options.tokens}`);
    }
  });
  const ms = Math.round(performance.now() - started);
  log(`generated ${options.users} users and ${options.tokens} tokens in ${(ms / 1000).toFixed(1)} s`);
  await tenant.close();
  return { ms };
}

async function main() {
  const { values } = parseArgs({
    options: {
      users: { type: 'string', default: '1000' },
      tokens: { type: 'string', default: '10000' },
      'heavy-user-tokens': { type: 'string', default: '0' },
      'data-dir': { type: 'string', default: '.data/generated' },
      'database-url': { type: 'string' },
      issuer: { type: 'string', default: 'http://127.0.0.1:4400/' },
      seed: { type: 'string', default: 'bench' },
      // As the bench generates: the mobile app's tokens i with i % 4 === 2 for /userinfo only (exchange (a)).
      'userinfo-only-mobile-tokens': { type: 'boolean', default: false },
    },
  });
  const number = (name: string, value: string | undefined) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number`);
    return n;
  };
  await generateTenant({
    dataDir: values['database-url'] ?? process.env.DATABASE_URL ?? resolve(values['data-dir']!),
    issuer: values.issuer!,
    users: Math.max(1, number('users', values.users)),
    tokens: number('tokens', values.tokens),
    heavyUserTokens: number('heavy-user-tokens', values['heavy-user-tokens']),
    seed: values.seed!,
    userinfoOnlyMobileTokens: values['userinfo-only-mobile-tokens'],
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
