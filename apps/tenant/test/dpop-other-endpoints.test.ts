import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../src/crypto/secrets.ts';
import { DEMO } from '../src/demo/demo-data.ts';
import { silentLogger } from '../src/observability/logger.ts';
import { dpopClient } from './dpop-client.ts';
import { testStorage } from './fixtures.ts';
import { listeningTenant } from './server.ts';

/**
 * A DPoP-bound refresh token (RFC 9449) at the endpoints other than /oauth/token that take a
 * refresh token: /oauth/revoke needs a proof by its key, /delegation never takes it, and junk
 * proofs count against the token's rate limit.
 */
let server: Awaited<ReturnType<typeof listeningTenant>>;
const where = testStorage();
beforeAll(async () => {
  server = await listeningTenant({
    storage: where.storage,
    ...(where.schema ? { schema: where.schema } : {}),
    demo: true,
    logger: silentLogger,
  });
});
afterAll(async () => {
  await server.close();
  await where.cleanup();
});

const store = () => server.tenant.deps.store;
const { signInWithDpop, proof, refresh, managementToken } = dpopClient(() => server.url);

describe('a DPoP-bound refresh token at the other endpoints that take one', () => {
  const revoke = async (token: string, dpopProof?: string) =>
    (
      await fetch(`${server.url}oauth/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(dpopProof ? { dpop: dpopProof } : {}) },
        body: new URLSearchParams({ client_id: DEMO.clients.mobile.client_id, token }),
      })
    ).status;

  it(
    '/oauth/revoke revokes a bound token only with a proof by its key: ' +
      'its current or a rotated-out secret alone revokes nothing (each still answers 200, as RFC 7009 does)',
    async () => {
      const { config, dpop, keyPair, tokens } = await signInWithDpop();
      const stale = tokens.refresh_token!;
      const current = (await oidc.refreshTokenGrant(config, stale, undefined, { DPoP: dpop })).refresh_token!;
      const { token } = (await store().refreshTokens.findRefreshTokenBySecret(sha256(current), Date.now()))!;
      const thief = await oidc.randomDPoPKeyPair('ES256');
      const revokeProof = (key: typeof keyPair) => proof(key, { htu: `${server.url}oauth/revoke` });

      expect(await revoke(stale)).toBe(200);
      expect(await revoke(current)).toBe(200);
      expect(await revoke(current, await revokeProof(thief))).toBe(200);
      expect(await revoke(current, await proof(keyPair))).toBe(200); // a proof for /oauth/token, not this endpoint
      expect((await store().refreshTokens.getRefreshToken(token.id))!.revoked_at).toBeNull();
      const still = await oidc.refreshTokenGrant(config, current, undefined, { DPoP: dpop });

      expect(await revoke(still.refresh_token!, await revokeProof(keyPair))).toBe(200);
      expect((await store().refreshTokens.getRefreshToken(token.id))!.revoked_at).not.toBeNull();
    },
  );

  it('/delegation never takes a bound token, even once its client is made confidential', async () => {
    const token = await managementToken();
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${server.url}api/v2${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      expect(res.status, `${method} ${path}`).toBeLessThan(300);
      return res.json() as Promise<{ client_id: string; client_secret: string }>;
    };
    const app = await api('POST', '/clients', {
      name: 'Bound then confidential',
      app_type: 'native',
      grant_types: ['password', 'refresh_token'],
      refresh_token: { rotation_type: 'non-rotating', expiration_type: 'non-expiring' },
    });
    const keyPair = await oidc.randomDPoPKeyPair('ES256');
    const issued = await fetch(`${server.url}oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', dpop: await proof(keyPair) },
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: app.client_id,
        username: DEMO.sampleUser.email,
        password: DEMO.endUserPassword,
        scope: 'openid offline_access',
      }),
    });
    const { refresh_token } = (await issued.json()) as { refresh_token: string };
    expect(
      (await store().refreshTokens.findRefreshTokenBySecret(sha256(refresh_token), Date.now()))!.token.dpop_jkt,
    ).toEqual(expect.any(String));
    await api('PATCH', `/clients/${app.client_id}`, {
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: ['password', 'refresh_token', 'urn:ietf:params:oauth:grant-type:jwt-bearer'],
    });
    const { client_secret } = await api('POST', `/clients/${app.client_id}/rotate-secret`);
    const delegated = await fetch(`${server.url}delegation`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        client_id: app.client_id,
        client_secret,
        refresh_token,
      }),
    });
    expect(delegated.status).toBe(403);
    expect(((await delegated.json()) as { error: string }).error).toBe('invalid_grant');
  });

  it("a refused proof on a bound token counts against the token's rate limit: a flood of junk proofs cannot fill the theft record", async () => {
    const { tokens } = await signInWithDpop();
    const { token } = (await store().refreshTokens.findRefreshTokenBySecret(
      sha256(tokens.refresh_token!),
      Date.now(),
    ))!;
    const statuses: number[] = [];
    for (let i = 0; i < 130; i++) statuses.push((await refresh(tokens.refresh_token!, 'x.y.z')).status);
    expect(statuses.filter((s) => s === 400)).toHaveLength(120);
    expect(statuses.filter((s) => s === 429)).toHaveLength(10);
    expect(await store().events.listEvents({ refresh_token_id: token.id }, 1000)).toHaveLength(120);
  });
});
