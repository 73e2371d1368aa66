import { endpoints } from '@rtc/contracts/endpoints';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, hrefOf, request, setCsrfToken } from './api-client';

afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(undefined);
});

function answering(status: number, body: unknown) {
  const fetchMock = vi.fn(async (_url: string, _init: RequestInit) => Response.json(body, { status }));
  vi.stubGlobal('fetch', fetchMock);
  return fetchMock;
}

describe('request: a call of the BFF from its contract', () => {
  it("fills the route's path values encoded, and sends the method, the body and the CSRF token", async () => {
    const fetchMock = answering(200, { revoked_token_ids: ['rt 1'] });
    setCsrfToken('csrf-1');
    const result = await request(endpoints.revokeRefreshToken, {
      params: { userId: 'auth0|jane', tokenId: 'rt 1' },
      body: { expected: { token_ids: ['rt 1'], grant_ids: [], session_ids: [], setting_deletes_grant: false } },
    });
    expect(result.revoked_token_ids).toEqual(['rt 1']);
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe('/api/users/auth0%7Cjane/refresh-tokens/rt%201');
    expect(init.method).toBe('DELETE');
    expect(init.headers).toMatchObject({ 'content-type': 'application/json', 'x-csrf-token': 'csrf-1' });
    expect(JSON.parse(String(init.body))).toEqual({
      expected: { token_ids: ['rt 1'], grant_ids: [], session_ids: [], setting_deletes_grant: false },
    });
  });

  it('writes the query in the order given, leaving out absent and empty values', async () => {
    const fetchMock = answering(200, { users: [], total: 0, page: 0, per_page: 25 });
    await request(endpoints.searchUsers, { query: { q: '', page: 2, per_page: 25 } });
    expect(fetchMock.mock.calls[0]![0]).toBe('/api/users?page=2&per_page=25');
    expect(fetchMock.mock.calls[0]![1].method).toBe('GET');
    expect(hrefOf(endpoints.auditExport, { query: { user_id: 'auth0|jane', actor: undefined } })).toBe(
      '/api/audit/export.csv?user_id=auth0%7Cjane',
    );
  });

  it("turns the BFF's error body into an ApiError with its code, message and request id", async () => {
    answering(403, { error: { code: 'forbidden', message: 'Your role may not.', request_id: 'req-1' } });
    const failure = await request(endpoints.settings).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({
      status: 403,
      code: 'forbidden',
      message: 'Your role may not.',
      requestId: 'req-1',
    });
  });
});

/**
 * Compiled by `tsc -p apps/dashboard`, never run: each line below is a mistake the contract
 * must refuse at build time (an unused @ts-expect-error is an error itself).
 */
export async function mistakesTheBuildRefuses() {
  // @ts-expect-error a route with a path value called without it
  await request(endpoints.user);
  // @ts-expect-error a path value the route does not name
  await request(endpoints.user, { params: { user: 'auth0|jane' } });
  // @ts-expect-error a body field the route does not take
  await request(endpoints.revokeSession, { params: { userId: 'u', sessionId: 's' }, body: { confirm: 'REVOKE' } });
  // @ts-expect-error a body where the route takes none
  await request(endpoints.signOutImpact, { params: { userId: 'u' }, body: {} });
  // @ts-expect-error a query parameter the route does not validate
  await request(endpoints.searchUsers, { query: { search: 'jane' } });
  const user = await request(endpoints.user, { params: { userId: 'auth0|jane' } });
  // @ts-expect-error a field the response does not have
  return user.email_address;
}
