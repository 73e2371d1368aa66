import { DEMO } from '@rtc/stack';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Browser } from './browser.ts';

/** The demo mobile app's loopback callback (registered on acme-mobile and acme-web). */
const CALLBACK = 'http://127.0.0.1:8765/callback';

/** The client's address (for a tenant that trusts one proxy hop) and agent, as request headers. */
const clientHeaders = (options: { from?: string; userAgent?: string }): Record<string, string> => ({
  ...(options.from ? { 'x-forwarded-for': options.from } : {}),
  ...(options.userAgent ? { 'user-agent': options.userAgent } : {}),
});

/** An app's DPoP key (RFC 9449): its thumbprint, and a fresh proof for a POST to a URL. */
export interface DpopKey {
  jkt: string;
  proof(htu: string): Promise<string>;
}

/** A new ES256 DPoP key, as a public client's app would hold it. */
export async function dpopKey(): Promise<DpopKey> {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk = await exportJWK(publicKey);
  return {
    jkt: await calculateJwkThumbprint(jwk, 'sha256'),
    proof: (htu) =>
      new SignJWT({ htm: 'POST', htu, jti: randomUUID() })
        .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
        .setIssuedAt()
        .sign(privateKey),
  };
}

/**
 * An end user's app against the tenant, as a real client would be: the password grant on a
 * named device for a refresh token, and refresh-token exchanges.
 */
export function endUserApp(tenantUrl: string, clientId: string = DEMO.clients.mobile.client_id, clientSecret?: string) {
  const post = (path: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${tenantUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams({
        client_id: clientId,
        ...(clientSecret ? { client_secret: clientSecret } : {}),
        ...form,
      }),
    });
  return {
    /**
     * Signs in on `device` (null: no device name, Auth0's `device` parameter left out); returns the refresh token. `from`: the client's address, as a proxy
     * the tenant trusts (its trustProxy option) reports it in X-Forwarded-For; `userAgent`: the app's agent;
     * `dpop`: a DPoP key whose proof goes with the request (a public client's token is then bound to it).
     */
    async login(
      email: string,
      device: string | null,
      options: { audience?: string; scope?: string; from?: string; userAgent?: string; dpop?: DpopKey } = {},
    ): Promise<string> {
      const res = await post(
        '/oauth/token',
        {
          grant_type: 'password',
          username: email,
          password: DEMO.endUserPassword,
          scope: options.scope ?? 'openid profile offline_access',
          ...(device === null ? {} : { device }),
          ...(options.audience ? { audience: options.audience } : {}),
        },
        {
          ...clientHeaders(options),
          ...(options.dpop ? { dpop: await options.dpop.proof(`${tenantUrl}/oauth/token`) } : {}),
        },
      );
      if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { refresh_token: string }).refresh_token;
    },
    /**
     * Signs in through /authorize and the login form, as the app's browser tab would: the
     * tenant creates a session, and the refresh token is bound to it. `userAgent` is the
     * browser's agent on those pages (the session's), node's own otherwise.
     */
    async loginWithBrowser(
      email: string,
      device: string,
      options: { audience?: string; scope?: string; userAgent?: string; from?: string } = {},
    ): Promise<{ refreshToken: string; sessionId: string }> {
      const browser = new Browser();
      const agent = clientHeaders(options);
      const verifier = randomBytes(32).toString('base64url');
      const authorize = new URL('/authorize', tenantUrl);
      authorize.search = new URLSearchParams({
        response_type: 'code',
        client_id: clientId,
        redirect_uri: CALLBACK,
        scope: options.scope ?? 'openid profile offline_access',
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
        device,
        ...(options.audience ? { audience: options.audience } : {}),
      }).toString();
      const page = await browser.fetch(authorize, { headers: agent });
      const tx = /name="tx" value="([^"]+)"/.exec(await page.text())?.[1];
      if (!tx) throw new Error(`no login form (${page.status})`);
      const login = await browser.fetch(new URL('/u/login', tenantUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...agent },
        body: new URLSearchParams({ tx, username: email, password: DEMO.endUserPassword }),
      });
      const code = new URL(login.headers.get('location') ?? 'about:blank').searchParams.get('code');
      if (!code) throw new Error(`login failed (${login.status})`);
      const res = await post(
        '/oauth/token',
        { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: verifier },
        clientHeaders({ ...(options.from ? { from: options.from } : {}) }),
      );
      const body = (await res.json()) as { refresh_token: string; id_token: string };
      const claims = JSON.parse(Buffer.from(body.id_token.split('.')[1]!, 'base64url').toString()) as { sid: string };
      return { refreshToken: body.refresh_token, sessionId: claims.sid };
    },
    /** One exchange: the status, and the new refresh token when the client rotates. */
    async refresh(
      refreshToken: string,
      options: { from?: string; userAgent?: string; dpop?: DpopKey } = {},
    ): Promise<{ status: number; refreshToken?: string }> {
      const dpop: Record<string, string> = options.dpop
        ? { dpop: await options.dpop.proof(`${tenantUrl}/oauth/token`) }
        : {};
      const res = await post(
        '/oauth/token',
        { grant_type: 'refresh_token', refresh_token: refreshToken },
        { ...clientHeaders(options), ...dpop },
      );
      const body = (await res.json()) as { refresh_token?: string };
      return { status: res.status, ...(body.refresh_token ? { refreshToken: body.refresh_token } : {}) };
    },
    revoke: (token: string) => post('/oauth/revoke', { token }),
  };
}
