import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from './fixtures.ts';
import { json } from './http.ts';
import { managementHarness, type ManagementHarness } from './management/helpers.ts';

/**
 * The device ASNs of a refresh token come from the offline IP database, for the
 * client's address as a trusted proxy reports it. Runs on SQLite and, in the
 * "tenant (postgres)" project, on PostgreSQL.
 */
describe('refresh-token device networks from the IP database (behind one trusted proxy)', () => {
  let h: ManagementHarness;
  beforeAll(async () => {
    h = await managementHarness({ options: { trustProxy: 1 } });
  });
  afterAll(async () => {
    await h.stop();
  });

  const origin = () => h.baseUrl.replace(/\/api\/v2$/, '');
  const tokenRequest = (form: Record<string, string>, forwardedFor: string) =>
    fetch(`${origin()}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': forwardedFor },
      body: new URLSearchParams(form),
    });

  /** The id of the user's newest refresh token, as the Management API lists it. */
  async function newestTokenId(): Promise<string> {
    const listed = await json(await h.raw(`/users/${encodeURIComponent(h.alice.user_id)}/refresh-tokens`));
    return listed.tokens.sort((a: { created_at: string }, b: { created_at: string }) =>
      b.created_at.localeCompare(a.created_at),
    )[0].id;
  }

  it('GET /api/v2/refresh-tokens/{id} names the networks of the issuing and the last exchanging address', async () => {
    h.clock.advance(1000);
    const issued = await tokenRequest(
      {
        grant_type: 'password',
        client_id: 'mobile',
        username: h.alice.email,
        password: PASSWORD,
        scope: 'openid offline_access',
        device: 'Quad9 phone',
      },
      '9.9.9.9',
    );
    expect(issued.status).toBe(200);
    const { refresh_token } = (await issued.json()) as { refresh_token: string };
    const id = await newestTokenId();

    const first = await h.api.refreshTokens.get(id);
    expect(first.device).toEqual({
      initial_ip: '9.9.9.9',
      initial_asn: 'AS19281', // Quad9
      initial_user_agent: expect.any(String),
      last_ip: '9.9.9.9',
      last_asn: 'AS19281',
      last_user_agent: expect.any(String),
    });

    h.clock.advance(1000);
    const exchanged = await tokenRequest(
      { grant_type: 'refresh_token', client_id: 'mobile', refresh_token },
      '2001:4860:4860::8888',
    );
    expect(exchanged.status).toBe(200);

    const after = await h.api.refreshTokens.get(id);
    expect(after.device).toMatchObject({
      initial_ip: '9.9.9.9',
      initial_asn: 'AS19281',
      last_ip: '2001:4860:4860::8888',
      last_asn: 'AS15169', // Google
    });
  });

  it('records no ASN (null) for an address no network announces', async () => {
    h.clock.advance(1000);
    const issued = await tokenRequest(
      {
        grant_type: 'password',
        client_id: 'mobile',
        username: h.alice.email,
        password: PASSWORD,
        scope: 'openid offline_access',
      },
      '10.20.30.40',
    );
    expect(issued.status).toBe(200);
    const token = await json(await h.raw(`/refresh-tokens/${encodeURIComponent(await newestTokenId())}`));
    expect(token.device.initial_ip).toBe('10.20.30.40');
    expect(token.device.initial_asn ?? null).toBeNull(); // key presence is the serializer's test
    expect(token.device.last_asn ?? null).toBeNull();
  });

  it("does not take the old prefix table's guesses: 88.198.0.1 is not Orange (AS3215)", async () => {
    h.clock.advance(1000);
    const issued = await tokenRequest(
      {
        grant_type: 'password',
        client_id: 'mobile',
        username: h.alice.email,
        password: PASSWORD,
        scope: 'openid offline_access',
      },
      '88.198.0.1',
    );
    expect(issued.status).toBe(200);
    const token = await h.api.refreshTokens.get(await newestTokenId());
    expect(token.device?.initial_asn).toMatch(/^AS\d+$/);
    expect(token.device?.initial_asn).not.toBe('AS3215');
  });
});
