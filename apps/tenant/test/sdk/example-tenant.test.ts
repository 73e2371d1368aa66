import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, ROOT, startNpmTenant } from '../npm-tenant.ts';
import { Browser } from './browser.ts';

/**
 * The tenant file README's "Use it in your app's tests" shows, started as it says
 * (`npm run tenant -- --import <file> --no-demo`): each of its clients does what the README
 * points its library at it for, so the README's file cannot rot.
 */
const FILE = 'apps/tenant/test/sdk/example-tenant.json';
const USER = { email: 'test.user@example.com', password: 'test-user-password', user_id: 'auth0|test-user' };
const secretOf = (clientId: string) =>
  (
    JSON.parse(readFileSync(join(ROOT, FILE), 'utf8')) as { clients: { client_id: string; client_secret?: string }[] }
  ).clients.find((c) => c.client_id === clientId)!.client_secret!;

let dataDir: string;
let issuer: string;
let banner = '';
let stop: () => void = () => {};

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'tenant-example-'));
  const port = await freePort();
  issuer = `http://127.0.0.1:${port}/`;
  ({ banner, stop } = await startNpmTenant(
    ['--import', FILE, '--port', String(port), '--data-dir', dataDir, '--no-demo', '--workers', '1'],
    (text) => text.includes('imported'),
  ));
}, 60_000);

afterAll(() => {
  stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const form = (body: Record<string, string>, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  body: new URLSearchParams(body),
});
const token = async (body: Record<string, string>, headers: Record<string, string> = {}) => {
  const res = await fetch(`${issuer}oauth/token`, form(body, headers));
  const json = (await res.json()) as Record<string, string>;
  expect(res.status, JSON.stringify(json)).toBe(200);
  return json;
};

/** A browser signing the file's user in to one of its clients; the code its callback gets. */
async function authorizationCode(params: Record<string, string>): Promise<URL> {
  const browser = new Browser();
  const page = await browser.navigate(
    `${issuer}authorize?${new URLSearchParams({ response_type: 'code', scope: 'openid profile email offline_access', state: 'st', ...params })}`,
  );
  return browser.postLogin(page, USER.email, USER.password);
}

describe("README's example tenant file, imported by npm run tenant", () => {
  it('creates its four clients, grant and user, on a tenant without demo data', async () => {
    expect(banner).toContain(`issuer     ${issuer}`);
    expect(banner).toContain('demo data  no');
    expect(banner).toMatch(/imported .*created 0 resource servers, 4 clients, 1 client grants, 1 users/);
    // The README shows this very file.
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const shown = /### Use it in your app's tests[\s\S]*?```json\n([\s\S]*?)```/.exec(readme)![1]!;
    expect(JSON.parse(shown)).toEqual(JSON.parse(readFileSync(join(ROOT, FILE), 'utf8')));
    const discovery = (await (await fetch(`${issuer}.well-known/openid-configuration`)).json()) as { issuer: string };
    expect(discovery.issuer).toBe(issuer);
  });

  it('my-backend (the auth0 SDK): client_credentials for the Management API, which lists the user', async () => {
    const { access_token } = await token({
      grant_type: 'client_credentials',
      client_id: 'my-backend',
      client_secret: secretOf('my-backend'),
      audience: `${issuer}api/v2/`,
    });
    const res = await fetch(`${issuer}api/v2/users?q=${encodeURIComponent(`email:${USER.email}`)}`, {
      headers: { authorization: `Bearer ${access_token}` },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { user_id: string }[]).map((u) => u.user_id)).toEqual([USER.user_id]);
  });

  it('my-node-app (openid-client): the password grant with client_secret_post, and a refresh', async () => {
    const signedIn = await token({
      grant_type: 'password',
      client_id: 'my-node-app',
      client_secret: secretOf('my-node-app'),
      username: USER.email,
      password: USER.password,
      scope: 'openid offline_access',
    });
    expect(signedIn.refresh_token).toEqual(expect.any(String));
    await token({
      grant_type: 'refresh_token',
      client_id: 'my-node-app',
      client_secret: secretOf('my-node-app'),
      refresh_token: signedIn.refresh_token!,
    });
  });

  it('my-express-app (express-openid-connect): the login form to its /callback, the code redeemed with client_secret_basic', async () => {
    const callback = await authorizationCode({
      client_id: 'my-express-app',
      redirect_uri: 'http://localhost:3000/callback',
    });
    expect(callback.origin + callback.pathname).toBe('http://localhost:3000/callback');
    const basic = `Basic ${Buffer.from(`my-express-app:${secretOf('my-express-app')}`).toString('base64')}`;
    const tokens = await token(
      {
        grant_type: 'authorization_code',
        code: callback.searchParams.get('code')!,
        redirect_uri: 'http://localhost:3000/callback',
      },
      { authorization: basic },
    );
    expect(tokens.refresh_token).toEqual(expect.any(String));
    const rotated = await token(
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! },
      { authorization: basic },
    );
    expect(rotated.refresh_token).not.toBe(tokens.refresh_token);
  });

  it('my-spa (auth0-spa-js): code + PKCE back to its origin, redeemed without a secret, refresh tokens rotating', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const callback = await authorizationCode({
      client_id: 'my-spa',
      redirect_uri: 'http://localhost:5173',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    expect(callback.origin).toBe('http://localhost:5173');
    const tokens = await token({
      grant_type: 'authorization_code',
      client_id: 'my-spa',
      code: callback.searchParams.get('code')!,
      redirect_uri: 'http://localhost:5173',
      code_verifier: verifier,
    });
    const rotated = await token({
      grant_type: 'refresh_token',
      client_id: 'my-spa',
      refresh_token: tokens.refresh_token!,
    });
    expect(rotated.refresh_token).not.toBe(tokens.refresh_token);
  });
});
