import express from 'express';
import { auth } from 'express-openid-connect';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/demo/demo-data.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { testStorage } from '../fixtures.ts';
import { listeningTenant } from '../server.ts';
import { Browser } from './browser.ts';

/**
 * express-openid-connect (Auth0's Express SDK) set up exactly as its README sets it up against
 * an Auth0 tenant, pointed at the embedded tenant over real sockets, its application
 * registered through the Management API as a user would, and driven as a browser drives it.
 */
let tenant: Awaited<ReturnType<typeof listeningTenant>>;
let server: Server;
let baseURL: string;
let clientID: string;
const where = testStorage();

async function managementToken(issuer: string): Promise<string> {
  const res = await fetch(new URL('oauth/token', issuer), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      grant_type: 'client_credentials',
      client_id: DEMO.clients.management.client_id,
      client_secret: DEMO.clients.management.secret,
      audience: `${issuer}api/v2/`,
    }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

beforeAll(async () => {
  tenant = await listeningTenant({
    storage: where.storage,
    ...(where.schema ? { schema: where.schema } : {}),
    demo: true,
    logger: silentLogger,
  });

  // The app's port is known only once it listens, and its URLs must be registered first.
  server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const registered = await fetch(new URL('api/v2/clients', tenant.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await managementToken(tenant.url)}` },
    body: JSON.stringify({
      name: 'Express app',
      app_type: 'regular_web',
      callbacks: [`${baseURL}/callback`],
      allowed_logout_urls: [baseURL],
      grant_types: ['authorization_code', 'refresh_token'],
      // The library's default for the code flow; the tenant holds a client to its registered
      // method, and POST /clients, like Auth0, registers client_secret_post by default.
      token_endpoint_auth_method: 'client_secret_basic',
      refresh_token: {
        rotation_type: 'rotating',
        expiration_type: 'expiring',
        token_lifetime: 86_400,
        idle_token_lifetime: 3_600,
      },
    }),
  });
  expect(registered.status).toBe(201);
  const client = (await registered.json()) as { client_id: string; client_secret: string };
  clientID = client.client_id;

  const app = express();
  app.use(
    auth({
      issuerBaseURL: tenant.url,
      baseURL,
      clientID: client.client_id,
      clientSecret: client.client_secret,
      secret: 'a long, randomly-generated string stored in env',
      authRequired: false,
      idpLogout: true,
      authorizationParams: { response_type: 'code', scope: 'openid profile email offline_access' },
    }),
  );
  app.get('/', (req, res) => {
    res.send(req.oidc.isAuthenticated() ? 'Logged in' : 'Logged out');
  });
  app.get('/me', (req, res) => {
    res.json({ authenticated: req.oidc.isAuthenticated(), user: req.oidc.user ?? null });
  });
  app.get('/refresh', async (req, res, next) => {
    try {
      const before = { access_token: req.oidc.accessToken?.access_token, refresh_token: req.oidc.refreshToken };
      const refreshed = await req.oidc.accessToken!.refresh();
      res.json({ before, after: { access_token: refreshed.access_token, refresh_token: req.oidc.refreshToken } });
    } catch (err) {
      next(err);
    }
  });
  app.use(
    (
      err: Error & { status?: number; error?: string },
      _req: express.Request,
      res: express.Response,
      _next: express.NextFunction,
    ) => {
      res.status(err.status ?? 500).json({ error: err.error ?? err.name, message: err.message });
    },
  );
  server.on('request', app);
}, 60_000);

afterAll(async () => {
  await new Promise((done) => server?.close(done));
  await tenant?.close();
  await where.cleanup();
});

describe('express-openid-connect against the embedded tenant', () => {
  it('signs in through the login form, refreshes with rotation, and ends the SSO session on IdP logout', async () => {
    const browser = new Browser();

    // /login on the app -> the tenant's /authorize -> its login form.
    const form = await browser.navigate(`${baseURL}/login`);
    expect(form.visited.map((u) => u.origin + u.pathname)).toEqual([`${baseURL}/login`, `${tenant.url}authorize`]);
    expect(form.url.searchParams.get('client_id')).toBe(clientID);
    expect(form.url.searchParams.get('redirect_uri')).toBe(`${baseURL}/callback`);

    // The form -> the app's /callback -> the app's page, signed in.
    const landed = await browser.submitLogin(form, DEMO.sampleUser.email, DEMO.endUserPassword);
    const page = await landed.res.text();
    expect(
      landed.visited.map((u) => u.origin + u.pathname),
      `${landed.res.status} ${page}`,
    ).toEqual([`${baseURL}/callback`, `${baseURL}/`]);
    expect(page).toBe('Logged in');

    const me = (await (await browser.fetch(`${baseURL}/me`)).json()) as {
      authenticated: boolean;
      user: { sid: string };
    };
    expect(me).toMatchObject({
      authenticated: true,
      user: {
        sub: DEMO.sampleUser.user_id,
        email: DEMO.sampleUser.email,
        name: DEMO.sampleUser.name,
        sid: expect.any(String),
      },
    });

    // req.oidc.accessToken.refresh(): a new access token and, the client rotating, a new refresh token.
    const refreshRes = await browser.fetch(`${baseURL}/refresh`);
    const refreshed = (await refreshRes.json()) as Record<
      'before' | 'after',
      { access_token?: string; refresh_token?: string }
    >;
    expect(refreshRes.status, JSON.stringify(refreshed)).toBe(200);
    expect(refreshed.before.refresh_token).toEqual(expect.any(String));
    expect(refreshed.after.access_token).toEqual(expect.any(String));
    expect(refreshed.after.access_token).not.toBe(refreshed.before.access_token);
    expect(refreshed.after.refresh_token).toEqual(expect.any(String));
    expect(refreshed.after.refresh_token).not.toBe(refreshed.before.refresh_token);

    // The tenant's SSO session is alive: a silent authorization is granted.
    const silent = () =>
      browser.fetch(
        `${tenant.url}authorize?${new URLSearchParams({
          client_id: clientID,
          redirect_uri: `${baseURL}/callback`,
          response_type: 'code',
          scope: 'openid',
          prompt: 'none',
          state: 'silent',
        })}`,
      );
    const before = new URL((await silent()).headers.get('location')!);
    expect(before.searchParams.get('code')).toBeTruthy();

    const session = async () =>
      (
        await fetch(new URL(`api/v2/sessions/${encodeURIComponent(me.user.sid)}`, tenant.url), {
          headers: { authorization: `Bearer ${await managementToken(tenant.url)}` },
        })
      ).status;
    expect(await session()).toBe(200);

    // IdP logout: the app's /logout -> the tenant's end_session_endpoint -> back to the app.
    const out = await browser.navigate(`${baseURL}/logout`);
    expect(out.visited.map((u) => u.origin + u.pathname)).toEqual([
      `${baseURL}/logout`,
      `${tenant.url}oidc/logout`,
      `${baseURL}/`,
    ]);
    expect(out.visited[1]!.searchParams.get('client_id')).toBe(clientID);
    expect(await out.res.text()).toBe('Logged out');
    expect(await (await browser.fetch(`${baseURL}/me`)).json()).toEqual({ authenticated: false, user: null });

    const after = new URL((await silent()).headers.get('location')!);
    expect(after.origin + after.pathname).toBe(`${baseURL}/callback`);
    expect(after.searchParams.get('error')).toBe('login_required');
    expect(after.searchParams.get('code')).toBeNull();
    // Ended at the tenant, not only forgotten by this browser.
    expect(await session()).toBe(404);
  });
});
