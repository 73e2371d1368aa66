import { decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API, ISSUER, M2M_SECRET, PASSWORD, testTenant, type TestTenant } from '../fixtures.ts';
import { json } from '../http.ts';
import { verifyIssuedJwt } from '../jwt.ts';

let t: TestTenant;
beforeEach(async () => {
  t = await testTenant();
});
afterEach(() => t.close());

const verify = (token: string, audience: string) => verifyIssuedJwt(t, token, audience);

describe('POST /oauth/token grant_type=client_credentials', () => {
  it('issues a Management API token with the client grant scopes', async () => {
    const token = await t.managementToken();
    const { payload } = await verify(token, `${ISSUER}api/v2/`);
    expect(payload.sub).toBe('m2m@clients');
    expect(payload.gty).toBe('client-credentials');
    expect(String(payload.scope).split(' ')).toContain('delete:refresh_tokens');
  });

  it('accepts client_secret_basic from a client registered for it', async () => {
    const m2m = (await t.store.directory.getClient('m2m'))!;
    await t.store.directory.putClient({ ...m2m, token_endpoint_auth_method: 'client_secret_basic' });
    const res = await t.post(
      '/oauth/token',
      { grant_type: 'client_credentials', audience: API },
      { authorization: `Basic ${Buffer.from(`m2m:${M2M_SECRET}`).toString('base64')}` },
    );
    expect(res.status).toBe(200);
    expect(decodeJwt(((await json(res)) as { access_token: string }).access_token).scope).toBe('read:things');
  });

  it('enforces the registered token_endpoint_auth_method: a post client may not use Basic, nor a basic client the body', async () => {
    const basic = { authorization: `Basic ${Buffer.from(`m2m:${M2M_SECRET}`).toString('base64')}` };
    const viaBasic = await t.post('/oauth/token', { grant_type: 'client_credentials', audience: API }, basic);
    expect(viaBasic.status).toBe(401);
    expect((await json(viaBasic)).error).toBe('invalid_client');
    const m2m = (await t.store.directory.getClient('m2m'))!;
    await t.store.directory.putClient({ ...m2m, token_endpoint_auth_method: 'client_secret_basic' });
    const viaBody = await t.post('/oauth/token', {
      grant_type: 'client_credentials',
      client_id: 'm2m',
      client_secret: M2M_SECRET,
      audience: API,
    });
    expect(viaBody.status).toBe(401);
  });

  it('refuses a public client that presents a secret', async () => {
    const res = await t.post('/oauth/token', {
      grant_type: 'password',
      client_id: 'mobile',
      client_secret: 'anything',
      username: t.alice.email,
      password: PASSWORD,
    });
    expect(res.status).toBe(401);
    expect((await json(res)).error).toBe('invalid_client');
  });

  it('decodes Basic strictly (RFC 6749 2.3.1): form-urlencoded id and secret, canonical base64 only', async () => {
    const m2m = (await t.store.directory.getClient('m2m'))!;
    await t.store.directory.putClient({
      ...m2m,
      client_id: 'm2m two',
      token_endpoint_auth_method: 'client_secret_basic',
    });
    await t.store.directory.putClientGrant({
      id: 'cgr_two',
      client_id: 'm2m two',
      audience: API,
      scope: ['read:things'],
    });
    const basic = (raw: string) => ({ authorization: `Basic ${raw}` });
    const encoded = Buffer.from(`m2m+two:${M2M_SECRET}`).toString('base64');
    // "+" is a space in a form-urlencoded id.
    expect(
      (await t.post('/oauth/token', { grant_type: 'client_credentials', audience: API }, basic(encoded))).status,
    ).toBe(200);
    // Base64 with characters outside the alphabet, missing padding, or invalid UTF-8 is refused.
    expect(
      (await t.post('/oauth/token', { grant_type: 'client_credentials', audience: API }, basic(`${encoded}!`))).status,
    ).toBe(401);
    // Percent-encoding too; this one ends in "=" padding, and without it the header is refused.
    const padded = Buffer.from(`m2m%20two:${M2M_SECRET}`).toString('base64');
    expect(padded.endsWith('=')).toBe(true);
    expect(
      (await t.post('/oauth/token', { grant_type: 'client_credentials', audience: API }, basic(padded))).status,
    ).toBe(200);
    expect(
      (
        await t.post(
          '/oauth/token',
          { grant_type: 'client_credentials', audience: API },
          basic(padded.replace(/=+$/, '')),
        )
      ).status,
    ).toBe(401);
    expect(
      (
        await t.post(
          '/oauth/token',
          { grant_type: 'client_credentials', audience: API },
          basic(Buffer.from([0x6d, 0x3a, 0xff, 0xfe]).toString('base64')),
        )
      ).status,
    ).toBe(401);
  });

  it('refuses scopes beyond the client grant, and APIs without one', async () => {
    const wide = await t.post('/oauth/token', {
      grant_type: 'client_credentials',
      client_id: 'm2m',
      client_secret: M2M_SECRET,
      audience: API,
      scope: 'write:things',
    });
    expect(wide.status).toBe(403);
    expect((await json(wide)).error).toBe('access_denied');
    const unknown = await t.post('/oauth/token', {
      grant_type: 'client_credentials',
      client_id: 'm2m',
      client_secret: M2M_SECRET,
      audience: 'https://nope/',
    });
    expect(unknown.status).toBe(403);
  });

  it('answers a wrong secret with 401 invalid_client', async () => {
    const res = await t.post('/oauth/token', {
      grant_type: 'client_credentials',
      client_id: 'm2m',
      client_secret: 'wrong',
      audience: API,
    });
    expect(res.status).toBe(401);
    expect(await json(res)).toEqual({ error: 'invalid_client', error_description: 'Client authentication failed.' });
  });
});
