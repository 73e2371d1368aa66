/**
 * The benchmark's peer: panva's oidc-provider, configured as our tenant is for the figures
 * it shares with it. One public app (`peer-app`, refresh tokens rotating on every use,
 * `openid offline_access`, so every exchange signs an RS256 ID token and issues an opaque
 * access token for /userinfo) and one confidential app (`peer-web`, client_secret_post) for
 * /token/revocation, which revokes only the token presented (our tenant's default: its
 * "Refresh Token Revocation Deletes Grant" is off).
 *
 * Two kinds of `peer-app` token, as the generator makes ours (`userinfoOnlyMobileTokens`):
 * index i % 4 === 0 is for the demo API (its resource indicator, `features.resourceIndicators`,
 * so the access token is an RS256 JWT as ours is for an API), i % 4 === 2 for /userinfo only
 * (an opaque access token, as ours is). Either way the exchange also signs an ID token.
 *
 * `tsx bench/peer/oidc-provider.ts --port P --tokens N --seed S [--store sqlite --data FILE]`
 * seeds N live refresh tokens whose values are `generatedTokenValue(S, i)`, like the
 * generator's, then answers /health. `--store memory` (the default) keeps them in a Map;
 * `--store sqlite` in FILE through a SQLite adapter (sqlite-adapter.ts), so they outlive a
 * restart: the durable peer. A FILE that already holds tokens is not seeded again;
 * `--seed-only` seeds FILE and exits (the bench seeds the durable peer so, without a deadline).
 */
import { DEMO, generatedTokenValue } from '@rtc/tenant';
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import Provider, { errors } from 'oidc-provider';
import { must } from '../must.ts';
import { mapAdapter } from './map-adapter.ts';
import { openPeerDatabase, sqliteAdapter } from './sqlite-adapter.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    tokens: { type: 'string' },
    seed: { type: 'string' },
    store: { type: 'string', default: 'memory' },
    data: { type: 'string' },
    'seed-only': { type: 'boolean' },
  },
});
if (values.store !== 'memory' && values.store !== 'sqlite') throw new Error('--store is memory or sqlite');
const db = values.store === 'sqlite' ? openPeerDatabase(must(values.data, '--data FILE of --store sqlite')) : undefined;
const port = Number(values.port);
const issuer = `http://127.0.0.1:${port}`;
const API = DEMO.api.identifier;

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const provider = new Provider(issuer, {
  adapter: db ? sqliteAdapter(db) : mapAdapter(),
  clients: [
    {
      client_id: 'peer-app',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: ['http://127.0.0.1/callback'],
    },
    {
      client_id: 'peer-web',
      client_secret: 'peer-web-secret',
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: ['http://127.0.0.1/callback'],
    },
  ],
  jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'peer', alg: 'RS256', use: 'sig' }] },
  cookies: { keys: ['bench-peer-cookie-key'] },
  features: {
    devInteractions: { enabled: false },
    revocation: { enabled: true },
    // DPoP as our tenant serves it, for the bench's exchange with a proof; requests without one are unaffected.
    dPoP: { enabled: true },
    resourceIndicators: {
      enabled: true,
      // A refresh token for the API keeps getting access tokens for it, as Auth0's do.
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx, resource) => {
        if (resource !== API) throw new errors.InvalidTarget();
        return {
          scope: 'read:orders',
          audience: API,
          accessTokenFormat: 'jwt',
          accessTokenTTL: 86_400,
          jwt: { sign: { alg: 'RS256' } },
        };
      },
    },
  },
  rotateRefreshToken: true,
  ttl: { Grant: 14 * 86_400, RefreshToken: 14 * 86_400 },
  // Revoking a refresh token revokes only it, as our tenant does with its flag off; reuse of a
  // rotated token still revokes the grant (the default for every other route).
  revokeGrantPolicy: (ctx) => ctx.oidc.route !== 'revocation',
  findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
});

// Seed: on the public app one grant per 10 tokens; on the confidential app one grant per
// token, because oidc-provider's revocation deletes every token of the presented token's grant
// (lib/helpers/revoke.js, whatever revokeGrantPolicy says), and our /oauth/revoke takes away the
// token presented only. Each token a distinct live value the load generator derives.
const count = Number(values.tokens);
const seed = must(values.seed, '--seed');
async function seedTokens() {
  for (const clientId of ['peer-app', 'peer-web']) {
    const client = must(await provider.Client.find(clientId), `the client ${clientId}`);
    let grantId = '';
    let accountId = '';
    for (let i = clientId === 'peer-app' ? 0 : 1; i < count; i += 2) {
      if (clientId === 'peer-web' || i % 20 < 2) {
        accountId = `user${Math.floor(i / 20) * 20}`;
        const grant = new provider.Grant({ accountId, clientId });
        grant.addOIDCScope('openid offline_access');
        if (clientId === 'peer-app') grant.addResourceScope(API, 'read:orders');
        grantId = await grant.save();
      }
      const forApi = clientId === 'peer-app' && i % 4 === 0;
      const token = new provider.RefreshToken({
        jti: generatedTokenValue(seed, i),
        accountId,
        client,
        grantId,
        scope: forApi ? 'openid offline_access read:orders' : 'openid offline_access',
        ...(forApi ? { resource: API } : {}),
        gty: 'authorization_code',
      });
      await token.save();
    }
  }
}
if (!db) await seedTokens();
else if (!db.prepare('SELECT 1 FROM oidc_payloads LIMIT 1').get()) {
  // One transaction for the whole seed: its commits are set-up, not the figures.
  db.exec('BEGIN');
  try {
    await seedTokens();
    db.exec('COMMIT');
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
}
if (values['seed-only']) {
  db?.close();
  process.exit(0);
}

const callback = provider.callback();
createServer((req, res) => {
  if (req.url === '/health') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    return;
  }
  void callback(req, res);
}).listen(port, '127.0.0.1', () =>
  console.error(`oidc-provider peer (${values.store}) on ${issuer} with ${count} refresh tokens`),
);

// Exit normally on Ctrl-C or SIGTERM, so `--cpu-prof` writes its profile (bench/cost-table.ts).
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(0));
