import { calculateJwkThumbprint, decodeJwt, exportJWK } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DPOP_BOUND_TOKEN_REFUSED } from '../src/auth/grants/refresh-token.ts';
import { sha256 } from '../src/crypto/secrets.ts';
import { DEMO } from '../src/demo/demo-data.ts';
import { silentLogger } from '../src/observability/logger.ts';
import { dpopClient, type ShownToken } from './dpop-client.ts';
import { testStorage } from './fixtures.ts';
import { listeningTenant } from './server.ts';

/**
 * DPoP (RFC 9449) over real sockets, driven by openid-client 6's own DPoP support: code + PKCE
 * through the login form, refresh and /userinfo with a bound token; then every way a thief
 * without the key might present the refresh token, each refused without changing the token,
 * each recorded as a theft signal, and the token still working for its holder.
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
const { signInWithDpop, proof, refresh, managementToken, management } = dpopClient(() => server.url);

describe('DPoP-bound tokens driven by openid-client over HTTP', () => {
  it(
    'code + PKCE, refresh and /userinfo with a bound token: token_type DPoP, cnf.jkt, ' +
      'the refresh token bound for life and shown by the Management API',
    async () => {
      const { config, dpop, jkt, tokens } = await signInWithDpop();
      expect(tokens.token_type).toBe('dpop');
      expect(decodeJwt(tokens.access_token).cnf).toEqual({ jkt });
      const found = await store().refreshTokens.findRefreshTokenBySecret(sha256(tokens.refresh_token!), Date.now());
      expect(found!.token.dpop_jkt).toBe(jkt);

      const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!, undefined, { DPoP: dpop });
      expect(refreshed.token_type).toBe('dpop');
      expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
      expect(decodeJwt(refreshed.access_token).cnf).toEqual({ jkt });
      // Rotation keeps the binding: the same token (one id), still bound to the same key.
      const after = await store().refreshTokens.findRefreshTokenBySecret(sha256(refreshed.refresh_token!), Date.now());
      expect(after!.token.id).toBe(found!.token.id);
      expect(after!.token.dpop_jkt).toBe(jkt);

      const info = await oidc.fetchUserInfo(config, refreshed.access_token, DEMO.sampleUser.user_id, { DPoP: dpop });
      expect(info.email).toBe(DEMO.sampleUser.email);
      // The bound token as a Bearer token is refused, with a DPoP challenge.
      const bearer = await fetch(`${server.url}userinfo`, {
        headers: { authorization: `Bearer ${refreshed.access_token}` },
      });
      expect(bearer.status).toBe(401);
      expect(bearer.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_token"/);

      // The Management API shows the binding (the thumbprint, never the key) everywhere it shows the token.
      const id = found!.token.id;
      expect((await management<ShownToken>(`/refresh-tokens/${id}`)).dpop_jkt).toBe(jkt);
      const listed = await management<{ tokens: ShownToken[] }>(
        `/users/${encodeURIComponent(DEMO.sampleUser.user_id)}/refresh-tokens?take=100`,
      );
      expect(listed.tokens.find((t) => t.id === id)?.dpop_jkt).toBe(jkt);
      const byClient = await management<{ refresh_tokens: ShownToken[] }>(
        `/refresh-tokens?user_id=${encodeURIComponent(DEMO.sampleUser.user_id)}&take=100`,
      );
      expect(byClient.refresh_tokens.find((t) => t.id === id)?.dpop_jkt).toBe(jkt);
      const hits = await management<{ refresh_tokens: ShownToken[] }>(
        `/refresh-tokens/search?client_id=${DEMO.clients.mobile.client_id}&ip=127.0.0.1&take=100`,
      );
      expect(hits.refresh_tokens.find((t) => t.id === id)?.dpop_jkt).toBe(jkt);
      expect(JSON.stringify(await management(`/refresh-tokens/${id}`))).not.toMatch(/"(x|y|d)":/);
      // Discovery lists the algorithms.
      expect(config.serverMetadata().dpop_signing_alg_values_supported).toEqual(
        expect.arrayContaining(['ES256', 'RS256', 'EdDSA']),
      );
    },
  );

  it(
    'another key, a replayed proof, a stale proof, a wrong htu or htm, and no proof are each refused, ' +
      'change nothing but the theft record, and the right proof still works',
    async () => {
      const { config, dpop, keyPair, tokens, sent } = await signInWithDpop();
      const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!, undefined, { DPoP: dpop });
      const current = refreshed.refresh_token!;
      const { token } = (await store().refreshTokens.findRefreshTokenBySecret(sha256(current), Date.now()))!;
      const snapshot = () => store().refreshTokens.getRefreshToken(token.id);
      const events = async () => {
        const all = await store().events.listEvents({ refresh_token_id: token.id }, 1000);
        return {
          theft: all.filter((e) => e.type === DPOP_BOUND_TOKEN_REFUSED),
          others: all.filter((e) => e.type !== DPOP_BOUND_TOKEN_REFUSED),
        };
      };
      const row = await snapshot();
      const { others } = await events();

      const thief = await oidc.randomDPoPKeyPair('ES256');
      // The proof openid-client sent with the last refresh: accepted once, already.
      const lastRefreshProof = sent.filter((s) => s.url.endsWith('/oauth/token') && s.proof).at(-1)!.proof!;
      const now = Math.floor(Date.now() / 1000);
      const attempts: {
        name: string;
        proof: () => Promise<string | undefined>;
        status: number;
        error: string;
        reason: string;
      }[] = [
        { name: 'another key', proof: () => proof(thief), status: 403, error: 'invalid_grant', reason: 'other-key' },
        {
          name: 'a replayed proof',
          proof: async () => lastRefreshProof,
          status: 400,
          error: 'invalid_dpop_proof',
          reason: 'invalid-proof',
        },
        {
          name: 'a stale proof',
          proof: () => proof(keyPair, { iat: now - 3600 }),
          status: 400,
          error: 'invalid_dpop_proof',
          reason: 'invalid-proof',
        },
        {
          name: 'a wrong htu',
          proof: () => proof(keyPair, { htu: `${server.url}oauth/revoke` }),
          status: 400,
          error: 'invalid_dpop_proof',
          reason: 'invalid-proof',
        },
        {
          name: 'another host in htu',
          proof: () => proof(keyPair, { htu: 'https://attacker.example/oauth/token' }),
          status: 400,
          error: 'invalid_dpop_proof',
          reason: 'invalid-proof',
        },
        {
          name: 'a wrong htm',
          proof: () => proof(keyPair, { htm: 'GET' }),
          status: 400,
          error: 'invalid_dpop_proof',
          reason: 'invalid-proof',
        },
        {
          name: 'no proof',
          proof: async () => undefined,
          status: 403,
          error: 'invalid_grant',
          reason: 'missing-proof',
        },
      ];
      for (const [n, attempt] of attempts.entries()) {
        const answer = await refresh(current, await attempt.proof());
        expect(answer, attempt.name).toMatchObject({ status: attempt.status, body: { error: attempt.error } });
        expect(await snapshot(), attempt.name).toEqual(row);
        const now = await events();
        expect(now.others, attempt.name).toEqual(others);
        expect(now.theft, attempt.name).toHaveLength(n + 1);
        expect(now.theft[0], attempt.name).toMatchObject({
          user_id: DEMO.sampleUser.user_id,
          client_id: DEMO.clients.mobile.client_id,
          refresh_token_id: token.id,
          ip: '127.0.0.1',
          details: { reason: attempt.reason, user_agent: 'node' },
        });
      }
      // The theft signals are in the user's logs, as the console reads them.
      const logs = await management<{ type: string; details: { refresh_token_id?: string } }[]>(
        `/users/${encodeURIComponent(DEMO.sampleUser.user_id)}/logs?per_page=100`,
      );
      expect(
        logs.filter((l) => l.type === DPOP_BOUND_TOKEN_REFUSED && l.details.refresh_token_id === token.id),
      ).toHaveLength(attempts.length);

      // The holder of the key still refreshes with the same token.
      const again = await oidc.refreshTokenGrant(config, current, undefined, { DPoP: dpop });
      expect(again.token_type).toBe('dpop');
      expect((await store().refreshTokens.getRefreshToken(token.id))!.revoked_at).toBeNull();
    },
  );

  it("the search extension filters dpop=bound|bearer and the summary counts bound tokens per application (not Auth0's)", async () => {
    const mobile = DEMO.clients.mobile.client_id;
    const boundOf = async () =>
      (
        await management<{ applications: { client_id: string; tokens: number; bound: number }[] }>(
          `/refresh-tokens/summary`,
        )
      ).applications.find((a) => a.client_id === mobile);
    const before = await boundOf();
    const { tokens } = await signInWithDpop();
    const { token } = (await store().refreshTokens.findRefreshTokenBySecret(
      sha256(tokens.refresh_token!),
      Date.now(),
    ))!;
    const after = (await boundOf())!;
    expect(after.bound).toBe((before?.bound ?? 0) + 1);
    expect(after.tokens - after.bound).toBe((before?.tokens ?? 0) - (before?.bound ?? 0));
    const ids = async (dpop: string) =>
      (
        await management<{ refresh_tokens: ShownToken[] }>(
          `/refresh-tokens/search?client_id=${mobile}&ip=127.0.0.1&take=100&dpop=${dpop}&include_totals=true`,
        )
      ).refresh_tokens;
    const bound = await ids('bound');
    expect(bound.map((t) => t.id)).toContain(token.id);
    expect(bound.every((t) => t.dpop_jkt !== null)).toBe(true);
    const bearer = await ids('bearer');
    expect(bearer.map((t) => t.id)).not.toContain(token.id);
    expect(bearer.every((t) => t.dpop_jkt === null)).toBe(true);
    const bad = await fetch(`${server.url}api/v2/refresh-tokens/search?client_id=${mobile}&dpop=maybe`, {
      headers: { authorization: `Bearer ${await managementToken()}` },
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errorCode: string }).errorCode).toBe('invalid_query_string');
  });

  it("a confidential client's refresh token is not bound, its access tokens are", async () => {
    const keyPair = await oidc.randomDPoPKeyPair('ES256');
    const res = await fetch(`${server.url}oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', dpop: await proof(keyPair) },
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: DEMO.clients.web.client_id,
        client_secret: DEMO.clients.web.secret,
        username: DEMO.sampleUser.email,
        password: DEMO.endUserPassword,
        scope: 'openid offline_access',
        audience: DEMO.api.identifier,
      }),
    });
    const body = (await res.json()) as Record<string, string>;
    expect(res.status).toBe(200);
    expect(body.token_type).toBe('DPoP');
    expect(decodeJwt(body.access_token!).cnf).toEqual({
      jkt: await calculateJwkThumbprint(await exportJWK(keyPair.publicKey), 'sha256'),
    });
    const found = await store().refreshTokens.findRefreshTokenBySecret(sha256(body.refresh_token!), Date.now());
    expect(found!.token.dpop_jkt).toBeNull();
  });

  it("require_proof_of_possession makes a proof mandatory for the client; the tenant's nonce flag makes openid-client retry with the DPoP-Nonce", async () => {
    const mobile = (await store().directory.getClient(DEMO.clients.mobile.client_id))!;
    await store().directory.putClient({ ...mobile, require_proof_of_possession: true });
    const settings = await store().settings.getSettings();
    try {
      const { config, dpop, keyPair, tokens } = await signInWithDpop();
      const missing = await refresh(tokens.refresh_token!);
      expect(missing).toMatchObject({ status: 400, body: { error: 'invalid_dpop_proof' } });

      await store().settings.updateSettings((s) => ({ ...s, flags: { ...s.flags, dpop_require_nonce: true } }));
      const noNonce = await fetch(`${server.url}oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', dpop: await proof(keyPair) },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          client_id: DEMO.clients.mobile.client_id,
          refresh_token: tokens.refresh_token!,
        }),
      });
      expect(noNonce.status).toBe(400);
      expect(((await noNonce.json()) as { error: string }).error).toBe('use_dpop_nonce');
      expect(noNonce.headers.get('dpop-nonce')).toBeTruthy();
      // openid-client reads the nonce and retries once on its own.
      const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!, undefined, { DPoP: dpop });
      expect(refreshed.token_type).toBe('dpop');
    } finally {
      await store().directory.putClient(mobile);
      await store().settings.updateSettings(() => settings);
    }
  });
});
