import { calculateJwkThumbprint, exportJWK, SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import * as oidc from 'openid-client';
import { expect } from 'vitest';
import { DEMO } from '../src/demo/demo-data.ts';

/**
 * The calls the DPoP tests make over real sockets to a listening demo tenant: a sign-in with a
 * DPoP key that openid-client drives, proofs made by hand for what it would never send, a
 * refresh, and Management API reads. `baseUrl` is read at each call (the tenant listens once
 * the test file's beforeAll ran).
 */
/** What the tests read of a refresh token as the Management API shows it. */
export interface ShownToken {
  id: string;
  dpop_jkt: string | null;
}

export function dpopClient(baseUrl: () => string) {
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
    const config = await oidc.discovery(new URL(baseUrl()), DEMO.clients.mobile.client_id, undefined, oidc.None(), {
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
      htu: claims.htu ?? `${baseUrl()}oauth/token`,
      jti: claims.jti ?? randomUUID(),
    })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(keyPair.publicKey) })
      .setIssuedAt(claims.iat ?? Math.floor(Date.now() / 1000))
      .sign(keyPair.privateKey);
  }

  async function refresh(refreshToken: string, dpopProof?: string) {
    const res = await fetch(`${baseUrl()}oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(dpopProof ? { dpop: dpopProof } : {}) },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: DEMO.clients.mobile.client_id,
        refresh_token: refreshToken,
      }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  async function managementToken(): Promise<string> {
    const res = await fetch(`${baseUrl()}oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'client_credentials',
        client_id: DEMO.clients.management.client_id,
        client_secret: DEMO.clients.management.secret,
        audience: `${baseUrl()}api/v2/`,
      }),
    });
    return ((await res.json()) as { access_token: string }).access_token;
  }

  const management = async <T = unknown>(path: string): Promise<T> => {
    const res = await fetch(`${baseUrl()}api/v2${path}`, {
      headers: { authorization: `Bearer ${await managementToken()}` },
    });
    expect(res.status, path).toBe(200);
    return res.json() as Promise<T>;
  };

  return { signInWithDpop, proof, refresh, managementToken, management };
}
