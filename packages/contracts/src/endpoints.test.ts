import { describe, expect, it } from 'vitest';
import { endpoints, urlOf } from './endpoints.ts';

describe('the endpoint table', () => {
  it('names each route once: no two entries share a method and a path', () => {
    const routes = Object.values(endpoints).map((e) => `${e.method} ${e.path}`);
    expect(new Set(routes).size).toBe(routes.length);
  });

  it('holds only the JSON API and sign-out, each path a Hono template', () => {
    for (const { path } of Object.values(endpoints))
      expect(path).toMatch(/^(\/api(\/([a-z-]+(\.csv)?|:[A-Za-z]+))+|\/auth\/logout)$/);
  });
});

describe('urlOf', () => {
  it('encodes path values and refuses a template left with one unfilled', () => {
    expect(urlOf(endpoints.revokeGrant.path, { userId: 'auth0|a/b', grantId: 'g?1' })).toBe(
      '/api/users/auth0%7Ca%2Fb/authorized-apps/g%3F1',
    );
    expect(() => urlOf(endpoints.revokeGrant.path, { userId: 'auth0|a' })).toThrow(/:grantId/);
  });

  it('writes the query as a form would, in the order given, without absent or empty values', () => {
    expect(urlOf('/api/audit', undefined, { actor: 'Jane Doe', user_id: '', page: 0, to: undefined })).toBe(
      '/api/audit?actor=Jane+Doe&page=0',
    );
    expect(urlOf('/api/audit', undefined, {})).toBe('/api/audit');
  });
});
