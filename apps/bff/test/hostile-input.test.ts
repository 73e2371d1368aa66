import { DEMO } from '@rtc/testkit';
import { json, startTestStack, type StaffClient, type TestStack } from '@rtc/testkit';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let stack: TestStack;
let admin: StaffClient;
const RUNS = Number(process.env.PROPERTY_RUNS ?? 40);

beforeAll(async () => {
  stack = await startTestStack();
  admin = await stack.signIn('admin');
});
afterAll(() => stack.stop());

const text = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom('', '\u0000', '\ud800', '🙂', '../..', "' OR 1=1", '<script>', '__proto__', 'x'.repeat(300)),
);
const segment = fc.oneof(
  text.map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '\ufffd')) || 'x'),
  fc.constantFrom('%E0%A4%A', '%00', encodeURIComponent(DEMO.sampleUser.user_id)),
);
// The search's filter, with hostile text in each condition (it reaches the tenant's queries).
const searchFilter = fc.dictionary(
  fc.constantFrom('ip', 'asn', 'user_agent', 'device_name', 'client_id', 'last_used_from', 'x'),
  text,
  { minKeys: 1, maxKeys: 3 },
);
const payload = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.record({ filter: searchFilter, confirm: fc.constantFrom('REVOKE', 'x') }, { requiredKeys: ['filter'] }),
  fc.dictionary(
    fc.constantFrom(
      'device_name',
      'client_id',
      'action',
      'grant_id',
      'token_id',
      'session_id',
      'revoke_refresh_token_grant',
      'filter',
      'confirm',
      'expected',
      'x',
    ),
    fc.oneof(text, fc.jsonValue({ maxDepth: 1 })),
  ),
);
const ROUTES: [method: string, template: string][] = [
  ['GET', '/api/users?{q}'],
  ['GET', '/api/users/{id}'],
  ['GET', '/api/users/{id}/devices'],
  ['POST', '/api/users/{id}/devices/unlink'],
  ['GET', '/api/users/{id}/authorized-apps'],
  ['DELETE', '/api/users/{id}/authorized-apps/{id2}'],
  ['GET', '/api/users/{id}/refresh-tokens'],
  ['GET', '/api/users/{id}/refresh-tokens/page?{q}'],
  ['DELETE', '/api/users/{id}/refresh-tokens/{id2}'],
  ['POST', '/api/users/{id}/refresh-tokens/revoke-all'],
  ['GET', '/api/users/{id}/sessions'],
  ['DELETE', '/api/users/{id}/sessions/{id2}'],
  ['GET', '/api/users/{id}/security-events'],
  ['POST', '/api/users/{id}/impact'],
  ['POST', '/api/users/{id}/sign-out-everywhere/impact'],
  ['POST', '/api/users/{id}/sign-out-everywhere'],
  ['GET', '/api/settings'],
  ['PATCH', '/api/settings'],
  ['GET', '/api/audit?{q}'],
  ['GET', '/api/audit/export.csv?{q}'],
  ['PUT', '/api/users/{id}'],
  ['GET', '/api/search/applications'],
  ['GET', '/api/search/refresh-tokens?{q}'],
  ['GET', '/api/search/sessions?{q}'],
  ['POST', '/api/search/refresh-tokens/impact'],
  ['POST', '/api/search/refresh-tokens/revoke'],
  ['POST', '/api/search/sessions/impact'],
  ['POST', '/api/search/sessions/revoke'],
];
const query = fc
  .dictionary(
    fc.constantFrom(
      'q',
      'page',
      'per_page',
      'actor',
      'user_id',
      'action',
      'from',
      'to',
      'take',
      'client_id',
      'ip',
      'asn',
      'user_agent',
      'device_name',
      'last_used_from',
      'x',
    ),
    text,
    { maxKeys: 4 },
  )
  .map((o) => new URLSearchParams(o).toString());

/** The tenant as the BFF would change it: Jane's tokens and grants, the setting. */
async function tenantState() {
  const { store } = stack.tenant.deps;
  return JSON.stringify({
    tokens: (await store.refreshTokens.listRefreshTokensHistory({}, 0, 5000)).items.map((t) => [t.id, t.revoked_at]),
    grants: (await store.directory.listGrants({}, 0, 5000)).total,
    settings: (await store.settings.getSettings()).flags,
  });
}

describe('every BFF route under generated hostile input', () => {
  it('answers a 4xx with the error body (or a 2xx), never a 5xx; a rejected request changes nothing at the tenant', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES),
        segment,
        segment,
        query,
        payload,
        fc.boolean(),
        async ([method, template], id, id2, q, body, sendBody) => {
          const before = await tenantState();
          const path = template.replace('{id}', id).replace('{id2}', id2).replace('{q}', q);
          const res = await admin.api(method, path, method === 'GET' || !sendBody ? undefined : body);
          const content = await res.text();
          expect(res.status, `${method} ${path}: ${content.slice(0, 200)}`).toBeLessThan(500);
          expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
          expect(res.headers.get('x-content-type-options')).toBe('nosniff');
          if (res.status >= 400) {
            expect(JSON.parse(content).error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
            expect(await tenantState()).toBe(before);
          }
          // After every case, not once at the end: the console still answers this staff member.
          expect((await admin.api('GET', '/api/me')).status).toBe(200);
        },
      ),
      { numRuns: RUNS },
    );
  }, 120_000);

  // A counterexample fast-check found (a 500 from PostgreSQL), kept as a fixed case.
  it('refuses NUL in query strings and JSON bodies with a 400', async () => {
    const inQuery = await admin.api('GET', '/api/audit?actor=%00');
    expect(inQuery.status).toBe(400);
    expect((await json(inQuery)).error.message).toBe('Text must not contain NUL characters.');
    // A request valid in every other way, so the 400 can only come from the NUL guard.
    const valid = await admin.api('POST', '/api/users/auth0%7Cnobody/impact', {
      action: 'device.unlink',
      device_name: 'ab',
    });
    expect(valid.status).not.toBe(400);
    const inBody = await admin.api('POST', '/api/users/auth0%7Cnobody/impact', {
      action: 'device.unlink',
      device_name: 'a\u0000b',
    });
    expect(inBody.status).toBe(400);
    expect((await json(inBody)).error.message).toBe('Text must not contain NUL characters.');
  });
});
