import { calculateJwkThumbprint, decodeJwt, exportJWK, SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DPOP_BOUND_TOKEN_REFUSED } from '../src/auth/grants/refresh-token.ts';
import { sha256 } from '../src/crypto/secrets.ts';
import { DEMO } from '../src/demo/demo-data.ts';
import { silentLogger } from '../src/observability/logger.ts';
import { testStorage } from './fixtures.ts';
import { listeningTenant } from './server.ts';

/**
 * DPoP (issue 30, RFC 9449) over real sockets, driven by openid-client 6's own DPoP support:
 * code + PKCE through the login form, refresh and /userinfo with a bound token; then every way
 * a thief without the key might present the refresh token, each refused without changing the
 * token, each recorded as a theft signal, and the token still working for its holder.
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

/** Follows /authorize like a browser: the login page, its form, the redirect. */
async function signIn(authorizationUrl: URL): Promise<URL> {
  const page = await fetch(authorizationUrl, { redirect: 'manual' });
  expect(page.status).toBe(200);
  const cookie = page.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const tx = /name="tx" value="([^"]+)"/.exec(await page.text())![1]!;
  const res = await fetch(new URL('/u/login', authorizationUrl), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams({ tx, username: DEMO.sampleUser.email, password: DEMO.endUserPassword }),
  });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location')!);
}

/** The public mobile client signed in through the login form with a DPoP key: openid-client does the DPoP. */
async function signInWithDpop() {
  const config = await oidc.discovery(new URL(server.url), DEMO.clients.mobile.client_id, undefined, oidc.None(), {
    execute: [oidc.allowInsecureRequests],
  });
  // Every DPoP proof openid-client sends, as sent, to replay one later.
  const sent: { url: string; proof: string | null }[] = [];
  config[oidc.customFetch] = (url, options) => {
    sent.push({ url, proof: new Headers(options.headers).get('dpop') });
    return fetch(url, options as RequestInit);
  };
  const keyPair = await oidc.randomDPoPKeyPair('ES256');
  const dpop = oidc.getDPoPHandle(config, keyPair);
  const jkt = await calculateJwkThumbprint(await exportJWK(keyPair.publicKey), 'sha256');
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: 'http://127.0.0.1:8765/callback',
    scope: 'openid profile email offline_access read:orders',
    audience: DEMO.api.identifier,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  });
  const tokens = await oidc.authorizationCodeGrant(
    config,
    await signIn(url),
    { pkceCodeVerifier: verifier, expectedState: state },
    undefined,
    { DPoP: dpop },
  );
  return { config, dpop, keyPair, jkt, tokens, sent };
}

/** A proof made by hand (jose), for the requests openid-client would never make. */
async function proof(
  keyPair: Awaited<ReturnType<typeof oidc.randomDPoPKeyPair>>,
  claims: { htm?: string; htu?: string; iat?: number; jti?: string } = {},
) {
  return new SignJWT({
    htm: claims.htm ?? 'POST',
    htu: claims.htu ?? `${server.url}oauth/token`,
    jti: claims.jti ?? randomUUID(),
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(keyPair.publicKey) })
    .setIssuedAt(claims.iat ?? Math.floor(Date.now() / 1000))
    .sign(keyPair.privateKey);
}

async function refresh(refreshToken: string, dpopProof?: string) {
  const res = await fetch(`${server.url}oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(dpopProof ? { dpop: dpopProof } : {}) },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: DEMO.clients.mobile.client_id,
      refresh_token: refreshToken,
    }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

async function managementToken(): Promise<string> {
  const res = await fetch(`${server.url}oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      grant_type: 'client_credentials',
      client_id: DEMO.clients.management.client_id,
      client_secret: DEMO.clients.management.secret,
      audience: `${server.url}api/v2/`,
    }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

const management = async (path: string) => {
  const res = await fetch(`${server.url}api/v2${path}`, {
    headers: { authorization: `Bearer ${await managementToken()}` },
  });
  expect(res.status, path).toBe(200);
  return res.json() as Promise<any>;
};

describe('DPoP-bound tokens driven by openid-client over HTTP', () => {
  it('code + PKCE, refresh and /userinfo with a bound token: token_type DPoP, cnf.jkt, the refresh token bound for life and shown by the Management API', async () => {
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
    expect((await management(`/refresh-tokens/${id}`)).dpop_jkt).toBe(jkt);
    const listed = await management(`/users/${encodeURIComponent(DEMO.sampleUser.user_id)}/refresh-tokens?take=100`);
    expect(listed.tokens.find((t: any) => t.id === id).dpop_jkt).toBe(jkt);
    const byClient = await management(
      `/refresh-tokens?user_id=${encodeURIComponent(DEMO.sampleUser.user_id)}&take=100`,
    );
    expect(byClient.refresh_tokens.find((t: any) => t.id === id).dpop_jkt).toBe(jkt);
    const hits = await management(
      `/refresh-tokens/search?client_id=${DEMO.clients.mobile.client_id}&ip=127.0.0.1&take=100`,
    );
    expect(hits.refresh_tokens.find((t: any) => t.id === id)?.dpop_jkt).toBe(jkt);
    expect(JSON.stringify(await management(`/refresh-tokens/${id}`))).not.toMatch(/"(x|y|d)":/);
    // Discovery lists the algorithms.
    expect(config.serverMetadata().dpop_signing_alg_values_supported).toEqual(
      expect.arrayContaining(['ES256', 'RS256', 'EdDSA']),
    );
  });

  it('another key, a replayed proof, a stale proof, a wrong htu or htm, and no proof are each refused, change nothing but the theft record, and the right proof still works', async () => {
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
      { name: 'no proof', proof: async () => undefined, status: 403, error: 'invalid_grant', reason: 'missing-proof' },
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
    const logs = await management(`/users/${encodeURIComponent(DEMO.sampleUser.user_id)}/logs?per_page=100`);
    expect(
      logs.filter((l: any) => l.type === DPOP_BOUND_TOKEN_REFUSED && l.details.refresh_token_id === token.id),
    ).toHaveLength(attempts.length);

    // The holder of the key still refreshes with the same token.
    const again = await oidc.refreshTokenGrant(config, current, undefined, { DPoP: dpop });
    expect(again.token_type).toBe('dpop');
    expect((await store().refreshTokens.getRefreshToken(token.id))!.revoked_at).toBeNull();
  });

  it("the search extension filters dpop=bound|bearer and the summary counts bound tokens per application (not Auth0's)", async () => {
    const mobile = DEMO.clients.mobile.client_id;
    const boundOf = async () =>
      (await management(`/refresh-tokens/summary`)).applications.find((a: any) => a.client_id === mobile);
    const before = await boundOf();
    const { tokens } = await signInWithDpop();
    const { token } = (await store().refreshTokens.findRefreshTokenBySecret(
      sha256(tokens.refresh_token!),
      Date.now(),
    ))!;
    const after = await boundOf();
    expect(after.bound).toBe((before?.bound ?? 0) + 1);
    expect(after.tokens - after.bound).toBe((before?.tokens ?? 0) - (before?.bound ?? 0));
    const ids = async (dpop: string) =>
      (
        await management(
          `/refresh-tokens/search?client_id=${mobile}&ip=127.0.0.1&take=100&dpop=${dpop}&include_totals=true`,
        )
      ).refresh_tokens as { id: string; dpop_jkt: string | null }[];
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

describe('a DPoP-bound refresh token at the other endpoints that take one', () => {
  const revoke = async (token: string, dpopProof?: string) =>
    (
      await fetch(`${server.url}oauth/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(dpopProof ? { dpop: dpopProof } : {}) },
        body: new URLSearchParams({ client_id: DEMO.clients.mobile.client_id, token }),
      })
    ).status;

  it('/oauth/revoke revokes a bound token only with a proof by its key: its current or a rotated-out secret alone revokes nothing (each still answers 200, as RFC 7009 does)', async () => {
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
  });

  it('/delegation never takes a bound token, even once its client is made confidential', async () => {
    const token = await managementToken();
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${server.url}api/v2${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      expect(res.status, `${method} ${path}`).toBeLessThan(300);
      return res.json() as Promise<any>;
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
