import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exportTenant, importTenant } from '../src/provisioning/tenant-file.ts';
import { client } from './fixtures.ts';
import { managementHarness, type ManagementHarness } from './management/helpers.ts';

/**
 * CORS as Auth0 answers it, over real sockets: a browser app (auth0-spa-js) exchanges its
 * code and refresh tokens at /oauth/token from its own origin, with a preflight (JSON body,
 * `Auth0-Client` header). Allowed: the origins a client registered (web_origins,
 * allowed_origins) and the origin of each of its callback URLs; nothing else gets a CORS
 * answer. The test tenant's clients: `mobile` calls back to https://app.test/callback.
 */
let h: ManagementHarness;
let url: string;
beforeEach(async () => {
  h = await managementHarness();
  url = h.baseUrl.replace(/\/api\/v2$/, '');
});
afterEach(() => h.stop());

const SPA = 'https://spa.test';
const STRANGER = 'https://evil.test';

const preflight = (path: string, origin: string, method = 'POST', headers = 'auth0-client, content-type') =>
  fetch(`${url}${path}`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers },
  });

/** Every Access-Control-* header of an answer. */
const corsHeaders = (res: Response) => [...res.headers].filter(([name]) => name.startsWith('access-control-'));

const refreshFrom = (origin: string, refreshToken: string) =>
  fetch(`${url}/oauth/token`, {
    method: 'POST',
    headers: {
      origin,
      'content-type': 'application/json',
      'auth0-client': Buffer.from('{"name":"auth0-spa-js","version":"2.28.3"}').toString('base64'),
    },
    body: JSON.stringify({ grant_type: 'refresh_token', client_id: 'mobile', refresh_token: refreshToken }),
  });

describe('CORS on the Authentication API', () => {
  it("answers the preflight and the token request from a client's registered web origin", async () => {
    await h.api.clients.update('mobile', { web_origins: [SPA] });
    const pre = await preflight('/oauth/token', SPA);
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(SPA);
    expect(pre.headers.get('access-control-allow-methods')).toContain('POST');
    expect(pre.headers.get('access-control-allow-headers')?.toLowerCase().split(',')).toEqual(
      expect.arrayContaining(['auth0-client', 'content-type']),
    );
    expect(pre.headers.get('access-control-allow-credentials')).toBe('true');
    expect(pre.headers.get('vary')).toMatch(/origin/i);

    const { refresh_token } = await h.login('mobile');
    const res = await refreshFrom(SPA, refresh_token);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(SPA);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('access-control-expose-headers')?.toLowerCase()).toContain('x-ratelimit-remaining');
    expect(res.headers.get('vary')).toMatch(/origin/i);
    expect(await res.json()).toMatchObject({ access_token: expect.any(String) });
  });

  it('allows the origin of a registered callback URL, and allowed_origins, as Auth0 does', async () => {
    expect((await preflight('/oauth/token', 'https://app.test')).headers.get('access-control-allow-origin')).toBe(
      'https://app.test',
    );
    const updated = await h.api.clients.update('web', { allowed_origins: ['https://cors.test:8443'] });
    expect(updated.allowed_origins).toEqual(['https://cors.test:8443']);
    expect((await h.api.clients.get('web')).allowed_origins).toEqual(['https://cors.test:8443']);
    expect((await preflight('/oauth/token', 'https://cors.test:8443')).headers.get('access-control-allow-origin')).toBe(
      'https://cors.test:8443',
    );
    // Another port, scheme or host is another origin.
    for (const other of ['https://cors.test', 'http://cors.test:8443', 'https://app.test:444', 'http://app.test']) {
      expect(corsHeaders(await preflight('/oauth/token', other)), other).toEqual([]);
    }
  });

  it('gives an unregistered origin no CORS answer at all, preflight or request; the request itself is not refused', async () => {
    await h.api.clients.update('mobile', { web_origins: [SPA] });
    const pre = await preflight('/oauth/token', STRANGER);
    expect(corsHeaders(pre)).toEqual([]);
    expect(pre.status).toBeGreaterThanOrEqual(400);
    expect(pre.status).toBeLessThan(500);
    const { refresh_token } = await h.login('mobile');
    // CORS is the browser's to enforce (it will not let the page read this answer).
    const res = await refreshFrom(STRANGER, refresh_token);
    expect(res.status).toBe(200);
    expect(corsHeaders(res)).toEqual([]);
    // Malformed origins, and the opaque `null` origin of a sandboxed frame, get nothing either.
    for (const origin of [
      'null',
      'not a url',
      'https://spa.test/',
      'https://spa.test/path',
      'HTTPS://SPA.TEST:99999',
      'javascript:alert(1)',
    ]) {
      const answer = await preflight('/oauth/token', origin);
      expect(answer.status, origin).toBeLessThan(500);
      expect(corsHeaders(answer), origin).toEqual([]);
    }
  });

  it('covers /oauth/revoke, /userinfo, the discovery documents and /v2/logout', async () => {
    await h.api.clients.update('mobile', { web_origins: [SPA] });
    const paths: [string, string, string][] = [
      ['/oauth/revoke', 'POST', 'content-type'],
      ['/userinfo', 'GET', 'authorization'],
      ['/.well-known/openid-configuration', 'GET', ''],
      ['/.well-known/jwks.json', 'GET', ''],
      ['/v2/logout', 'GET', ''],
    ];
    for (const [path, method, headers] of paths) {
      const ok = await preflight(path, SPA, method, headers);
      expect(ok.status, path).toBe(204);
      expect(ok.headers.get('access-control-allow-origin'), path).toBe(SPA);
      expect(corsHeaders(await preflight(path, STRANGER, method, headers)), path).toEqual([]);
    }
    const discovery = await fetch(`${url}/.well-known/openid-configuration`, { headers: { origin: SPA } });
    expect(discovery.status).toBe(200);
    expect(discovery.headers.get('access-control-allow-origin')).toBe(SPA);
    const { access_token } = await h.login('mobile', { scope: 'openid profile' });
    const userinfo = await fetch(`${url}/userinfo`, {
      headers: { origin: SPA, authorization: `Bearer ${access_token}` },
    });
    expect(userinfo.status).toBe(200);
    expect(userinfo.headers.get('access-control-allow-origin')).toBe(SPA);
    // Not the Management API: it is not for browsers.
    expect(corsHeaders(await preflight('/api/v2/clients', SPA, 'GET', 'authorization'))).toEqual([]);
  });

  it('matches a wildcard web origin on one subdomain label only', async () => {
    await h.api.clients.update('mobile', { web_origins: ['https://*.spa.test'] });
    expect(
      (await preflight('/oauth/token', 'https://tenant-a.spa.test')).headers.get('access-control-allow-origin'),
    ).toBe('https://tenant-a.spa.test');
    for (const other of ['https://spa.test', 'https://a.b.spa.test', 'https://evil-spa.test', 'http://a.spa.test']) {
      expect(corsHeaders(await preflight('/oauth/token', other)), other).toEqual([]);
    }
  });

  it('follows the clients as they change: an origin removed, or its client deleted, is refused at once', async () => {
    await h.api.clients.update('mobile', { web_origins: [SPA] });
    expect((await preflight('/oauth/token', SPA)).headers.get('access-control-allow-origin')).toBe(SPA);
    await h.api.clients.update('mobile', { web_origins: [] });
    expect(corsHeaders(await preflight('/oauth/token', SPA))).toEqual([]);

    const created = await h.api.clients.create({
      name: 'SPA',
      app_type: 'spa',
      web_origins: ['https://new.test'],
      allowed_origins: ['https://other.test'],
    });
    expect(created).toMatchObject({ web_origins: ['https://new.test'], allowed_origins: ['https://other.test'] });
    expect((await preflight('/oauth/token', 'https://new.test')).headers.get('access-control-allow-origin')).toBe(
      'https://new.test',
    );
    expect((await preflight('/oauth/token', 'https://other.test')).headers.get('access-control-allow-origin')).toBe(
      'https://other.test',
    );
    await h.api.clients.delete(created.client_id!);
    expect(corsHeaders(await preflight('/oauth/token', 'https://new.test'))).toEqual([]);
  });

  it('refuses an allowed origin that is not an origin with a 400, and changes nothing', async () => {
    for (const bad of [['https://cors.test/path'], ['ftp://cors.test'], ['not a url'], 'https://cors.test']) {
      const res = await h.raw('/clients/web', {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ allowed_origins: bad }),
      });
      expect(res.status, JSON.stringify(bad)).toBe(400);
    }
    expect((await h.api.clients.get('web')).allowed_origins).toEqual([]);
  });

  it('answers Vary: Origin on every CORS path, to a registered origin, another origin or none, preflight or not', async () => {
    // A shared cache must never serve the answer made for one origin (or for none) to another.
    await h.api.clients.update('mobile', { web_origins: [SPA] });
    const paths: [string, string][] = [
      ['/oauth/token', 'POST'],
      ['/oauth/revoke', 'POST'],
      ['/userinfo', 'GET'],
      ['/.well-known/openid-configuration', 'GET'],
      ['/.well-known/jwks.json', 'GET'],
      ['/v2/logout', 'GET'],
    ];
    for (const [path, method] of paths) {
      for (const origin of [SPA, 'https://nope.test', 'null', undefined]) {
        const headers: Record<string, string> = origin === undefined ? {} : { origin };
        const res = await fetch(`${url}${path}`, {
          method,
          headers,
          redirect: 'manual',
          ...(method === 'POST' ? { body: '' } : {}),
        });
        expect(res.headers.get('vary') ?? '', `${method} ${path} from ${origin}`).toMatch(/\borigin\b/i);
        if (origin !== undefined)
          expect(
            (await preflight(path, origin, method, '')).headers.get('vary') ?? '',
            `OPTIONS ${path} from ${origin}`,
          ).toMatch(/\borigin\b/i);
      }
    }
  });

  it('refuses with 400 an origin or callback with userinfo, a wildcard over a public suffix, or a script scheme; none of them is allowed', async () => {
    const bad: Record<string, string[]>[] = [
      { web_origins: ['https://*.com'] },
      { web_origins: ['https://*.co.uk'] },
      { allowed_origins: ['https://*.github.io'] },
      { allowed_origins: ['https://*.example.com@evil.org'] },
      { allowed_origins: ['https://user:pass@cors.test'] },
      { callbacks: ['https://app.test@evil.org/callback'] },
      { callbacks: ['https://*.com/callback'] },
      { allowed_logout_urls: ['https://*.com/'] },
      ...[
        'javascript:alert(1)//',
        'JavaScript:alert(1)',
        'data:text/html,<script>alert(1)</script>',
        'vbscript:msgbox(1)',
        'file:///etc/passwd',
      ].flatMap((url) => [{ callbacks: [url] }, { allowed_logout_urls: [url] }]),
    ];
    for (const body of bad) {
      for (const [method, path] of [
        ['POST', '/clients'],
        ['PATCH', '/clients/web'],
      ] as const) {
        const res = await h.raw(path, {
          method,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(method === 'POST' ? { name: 'bad', app_type: 'spa', ...body } : body),
        });
        expect(res.status, `${method} ${JSON.stringify(body)}`).toBe(400);
        expect(await res.json()).toMatchObject({ statusCode: 400, errorCode: 'invalid_body' });
      }
    }
    for (const origin of ['https://evil.com', 'https://evil.org', 'https://evil.co.uk', 'https://evil.github.io']) {
      expect(corsHeaders(await preflight('/oauth/token', origin)), origin).toEqual([]);
    }
    // Still accepted: a wildcard over a registrable domain, a native callback, a path with an @.
    const good = await h.api.clients.create({
      name: 'good',
      app_type: 'spa',
      web_origins: ['https://*.example.com', 'https://*.spa.test'],
      callbacks: ['com.example.app://login/callback', 'https://app.test/@me/callback'],
    });
    expect(good.web_origins).toEqual(['https://*.example.com', 'https://*.spa.test']);
    // The tenant file is held to the same rules.
    const file = await exportTenant(h.store, h.tenant.deps.issuer);
    Object.assign(file.clients!.find((c) => c.client_id === 'mobile')!, { callbacks: ['javascript:alert(1)//'] });
    await expect(importTenant(h.store, JSON.stringify(file), { issuer: h.tenant.deps.issuer, now: 1 })).rejects.toThrow(
      /clients\.\d+\.callbacks/,
    );
  });

  it('grants nothing to a stored origin with userinfo or a wildcard over a public suffix (rows written before these were refused)', async () => {
    await h.store.directory.putClient(
      client({
        client_id: 'old-row',
        web_origins: ['https://*.com', 'https://*.example.com@evil.org'],
        allowed_origins: ['https://x@cors.test'],
        callbacks: ['https://app.test@evil.net/cb'],
      }),
    );
    h.clock.advance(2001);
    for (const origin of ['https://evil.com', 'https://evil.org', 'https://cors.test', 'https://evil.net']) {
      expect(corsHeaders(await preflight('/oauth/token', origin)), origin).toEqual([]);
    }
  });

  it('sees a client written by another process within 2 s (the store tells no process of a change)', async () => {
    expect(corsHeaders(await preflight('/oauth/token', 'https://elsewhere.test'))).toEqual([]);
    // Another worker or instance writes the store directly; this process learns of it when its copy expires.
    await h.store.directory.putClient(client({ client_id: 'other-process', web_origins: ['https://elsewhere.test'] }));
    h.clock.advance(2001);
    expect((await preflight('/oauth/token', 'https://elsewhere.test')).headers.get('access-control-allow-origin')).toBe(
      'https://elsewhere.test',
    );
  });

  it('keeps web_origins and allowed_origins through the tenant file, and refuses a file whose origin is not one', async () => {
    const file = await exportTenant(h.store, h.tenant.deps.issuer);
    const mobile = file.clients!.find((c) => c.client_id === 'mobile')!;
    expect(mobile).toMatchObject({ web_origins: [], allowed_origins: [] });
    Object.assign(mobile, { web_origins: [SPA], allowed_origins: ['https://cors.test'] });
    await importTenant(h.store, JSON.stringify(file), { issuer: h.tenant.deps.issuer, now: 1 });
    expect(await h.store.directory.getClient('mobile')).toMatchObject({
      web_origins: [SPA],
      allowed_origins: ['https://cors.test'],
    });
    expect((await exportTenant(h.store, h.tenant.deps.issuer)).clients!.find((c) => c.client_id === 'mobile')).toEqual(
      mobile,
    );
    Object.assign(mobile, { allowed_origins: ['https://cors.test/path'] });
    await expect(importTenant(h.store, JSON.stringify(file), { issuer: h.tenant.deps.issuer, now: 1 })).rejects.toThrow(
      /clients\.\d+\.allowed_origins/,
    );
    expect((await h.store.directory.getClient('mobile'))?.allowed_origins).toEqual(['https://cors.test']);
  });
});
