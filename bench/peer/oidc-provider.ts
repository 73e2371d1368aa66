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
 * `tsx bench/peer/oidc-provider.ts --port P --tokens N --seed S` seeds N live refresh tokens
 * whose values are `generatedTokenValue(S, i)`, like the generator's, then answers /health.
 */
import { DEMO, generatedTokenValue } from '@rtc/tenant';
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import Provider, { errors, type Adapter, type AdapterPayload } from 'oidc-provider';

const { values } = parseArgs({
  options: { port: { type: 'string' }, tokens: { type: 'string' }, seed: { type: 'string' } },
});
const port = Number(values.port);
const issuer = `http://127.0.0.1:${port}`;
const API = DEMO.api.identifier;

/**
 * A Map-backed adapter. oidc-provider's own memory adapter is an LRU of 1,000 entries,
 * which would evict most of the seeded tokens; this one keeps them all, with the grant
 * index that rotation's reuse detection needs (`revokeByGrantId`).
 */
const storage = new Map<string, AdapterPayload>();
const grantMembers = new Map<string, Set<string>>();
class MapAdapter implements Adapter {
  constructor(private readonly model: string) {}
  private key(id: string) {
    return `${this.model}:${id}`;
  }
  async upsert(id: string, payload: AdapterPayload) {
    const key = this.key(id);
    storage.set(key, payload);
    if (payload.grantId) {
      let members = grantMembers.get(payload.grantId);
      if (!members) grantMembers.set(payload.grantId, (members = new Set()));
      members.add(key);
    }
  }
  async find(id: string) {
    return storage.get(this.key(id));
  }
  async findByUid(): Promise<undefined> {
    return undefined;
  }
  async findByUserCode(): Promise<undefined> {
    return undefined;
  }
  async consume(id: string) {
    const payload = storage.get(this.key(id));
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
  }
  async destroy(id: string) {
    const key = this.key(id);
    const grantId = storage.get(key)?.grantId;
    storage.delete(key);
    if (grantId) grantMembers.get(grantId)?.delete(key);
  }
  async revokeByGrantId(grantId: string) {
    for (const key of grantMembers.get(grantId) ?? []) storage.delete(key);
    grantMembers.delete(grantId);
  }
}

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const provider = new Provider(issuer, {
  adapter: MapAdapter,
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

// Seed: one grant per 10 tokens, each token a distinct live value the load generator derives.
const count = Number(values.tokens);
const seed = values.seed!;
for (const clientId of ['peer-app', 'peer-web']) {
  const client = (await provider.Client.find(clientId))!;
  let grantId = '';
  let accountId = '';
  for (let i = clientId === 'peer-app' ? 0 : 1; i < count; i += 2) {
    if (i % 20 < 2) {
      accountId = `user${i}`;
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

const callback = provider.callback();
createServer((req, res) => {
  if (req.url === '/health') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    return;
  }
  void callback(req, res);
}).listen(port, '127.0.0.1', () => console.error(`oidc-provider peer on ${issuer} with ${count} refresh tokens`));

// Exit normally on Ctrl-C or SIGTERM, so `--cpu-prof` writes its profile (bench/cost-table.ts).
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(0));
