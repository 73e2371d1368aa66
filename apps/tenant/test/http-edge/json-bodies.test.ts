import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { managementHarness, type ManagementHarness } from '../management/helpers.ts';

let h: ManagementHarness;
let tokenId: string;

beforeAll(async () => {
  h = await managementHarness();
  tokenId = (await h.seedTokens(1))[0]!;
});
afterAll(() => h?.stop());

const deepObject = (levels: number) => `${'{"a":'.repeat(levels)}"x"${'}'.repeat(levels)}`;
const deepArray = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

/** JSON no endpoint accepts, each well under the 64 KB body limit. */
const UNACCEPTABLE: Record<string, (field: string) => string> = {
  'nested 5,000 objects deep': (field) => `{"${field}":${deepObject(5000)}}`,
  'nested 20,000 arrays deep': (field) => `{"${field}":${deepArray(20_000)}}`,
  'a bare deep array': () => deepArray(30_000),
  'a duplicate key': (field) => `{"${field}":{"a":"1"},"${field}":{"b":"2"}}`,
  'a duplicate key, nested': () => '{"flags":{"revoke_refresh_token_grant":true,"revoke_refresh_token_grant":false}}',
  'a duplicate string': (field) => `{"${field}":"a","${field}":"b"}`,
  'an array': () => '[]',
  'a string': () => '"text"',
  'a number': () => '42',
  null: () => 'null',
  'not JSON': () => '{"a":',
};

describe('Management API JSON bodies it cannot accept', () => {
  const endpoints = [
    ['PATCH', '/refresh-tokens/{id}', 'refresh_token_metadata'],
    ['POST', '/refresh-tokens/revoke', 'ids'],
    ['PATCH', '/clients/mobile', 'refresh_token'],
    ['PATCH', '/tenants/settings', 'flags'],
  ] as const;

  for (const [method, path, field] of endpoints) {
    for (const [name, make] of Object.entries(UNACCEPTABLE)) {
      it(`${method} ${path} answers 400 invalid_body for ${name}`, async () => {
        const res = await h.raw(path.replace('{id}', tokenId), {
          method,
          headers: { 'content-type': 'application/json' },
          body: make(field),
        });
        const body = (await res.json()) as Record<string, unknown>;
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(body).toEqual({
          statusCode: 400,
          error: 'Bad Request',
          message: expect.any(String),
          errorCode: 'invalid_body',
        });
      });
    }
  }

  it('changes nothing: the token keeps its metadata after every refused PATCH', async () => {
    const res = await h.raw(`/refresh-tokens/${tokenId}`);
    expect(((await res.json()) as { refresh_token_metadata: unknown }).refresh_token_metadata).toEqual({});
  });
});

describe('Authentication API JSON bodies it cannot accept', () => {
  for (const path of ['/oauth/token', '/oauth/revoke', '/delegation']) {
    for (const [name, make] of Object.entries(UNACCEPTABLE)) {
      it(`POST ${path} answers 400 invalid_request for ${name}`, async () => {
        const res = await h.tenant.app.request(path, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: make('client_id'),
        });
        const body = (await res.json()) as Record<string, unknown>;
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(body).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
      });
    }
  }
});
