import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.ts';
import { openSqliteStore, type SqliteTenantStore } from '../store/sqlite/sqlite-store.ts';
import { DEFAULT_REFRESH_TOKEN_POLICY } from './defaults.ts';
import type { ClientRecord } from './model.ts';
import {
  corsOrigins,
  hasUserinfo,
  OriginSet,
  RegisteredOrigins,
  serializedOrigin,
  webMessageOrigins,
  wildcardTooBroad,
} from './origins.ts';

describe('hasUserinfo', () => {
  it('finds userinfo, or a backslash, in the authority only', () => {
    expect(hasUserinfo('https://*.example.com@evil.org')).toBe(true);
    expect(hasUserinfo('https://user:pass@app.test/cb')).toBe(true);
    expect(hasUserinfo('https://app.test\\@evil.org')).toBe(true);
    expect(hasUserinfo('https://app.test/path@not-authority')).toBe(false);
    expect(hasUserinfo('com.example.app://callback')).toBe(false);
  });
});

describe('wildcardTooBroad', () => {
  it('is true over a public suffix, a private one, or a single label', () => {
    for (const host of ['com', 'co.uk', 'github.io', 'localhost', 'COM.']) expect(wildcardTooBroad(host)).toBe(true);
  });
  it('is false over a registrable domain', () => {
    for (const host of ['example.com', 'app.example.co.uk', 'me.github.io']) expect(wildcardTooBroad(host)).toBe(false);
  });
});

describe('serializedOrigin', () => {
  it('is the text when it is exactly an origin as a browser sends it', () => {
    expect(serializedOrigin('https://app.test')).toBe('https://app.test');
    expect(serializedOrigin('http://localhost:3000')).toBe('http://localhost:3000');
  });
  it.each([
    'https://app.test/',
    'HTTPS://app.test',
    'https://App.test',
    'https://app.test:443',
    'null',
    'file:///x',
    'not a url',
    `https://${'a'.repeat(2000)}.test`,
  ])('is undefined for %j', (text) => {
    expect(serializedOrigin(text)).toBeUndefined();
  });
});

describe('OriginSet', () => {
  it('allows a registered origin, normalized as browsers write it, from a callback URL too', () => {
    const set = new OriginSet().add(['HTTPS://App.Test:443/callback?x=1', 'http://localhost:3000']);
    expect(set.allows('https://app.test')).toBe(true);
    expect(set.allows('http://localhost:3000')).toBe(true);
    expect(set.allows('http://app.test')).toBe(false);
    expect(set.allows('https://app.test:8443')).toBe(false);
  });

  it('lets one wildcard label stand for exactly one subdomain label, on its scheme and port', () => {
    const set = new OriginSet().add(['https://*.example.com', 'https://*.example.org:8443']);
    expect(set.allows('https://a.example.com')).toBe(true);
    expect(set.allows('https://a.b.example.com')).toBe(false);
    expect(set.allows('https://example.com')).toBe(false);
    expect(set.allows('http://a.example.com')).toBe(false);
    expect(set.allows('https://a.example.org:8443')).toBe(true);
    expect(set.allows('https://a.example.org')).toBe(false);
  });

  it('grants nothing for userinfo, a wildcard over a public suffix, or a custom scheme', () => {
    const set = new OriginSet().add([
      'https://*.example.com@evil.org',
      'https://*.co.uk',
      'https://*.github.io',
      'com.example.app://cb',
    ]);
    for (const origin of ['https://evil.org', 'https://a.co.uk', 'https://me.github.io', 'com.example.app://cb'])
      expect(set.allows(origin)).toBe(false);
  });
});

describe("a client's origins", () => {
  const registrations = {
    web_origins: ['https://web.test'],
    allowed_origins: ['https://cors.test'],
    callbacks: ['https://cb.test/callback'],
  };

  it('posts web_message responses to Allowed Web Origins only', () => {
    const set = webMessageOrigins(registrations);
    expect(['https://web.test', 'https://cors.test', 'https://cb.test'].map((o) => set.allows(o))).toEqual([
      true,
      false,
      false,
    ]);
  });

  it('answers CORS for web origins, allowed origins and callback origins alike', () => {
    const set = corsOrigins(registrations);
    expect(
      ['https://web.test', 'https://cors.test', 'https://cb.test', 'https://other.test'].map((o) => set.allows(o)),
    ).toEqual([true, true, true, false]);
  });
});

describe('RegisteredOrigins over a real store', () => {
  let store: SqliteTenantStore;
  let clock: ManualClock;
  const client = (client_id: string, allowed_origins: string[]): ClientRecord => ({
    client_id,
    name: client_id,
    description: '',
    app_type: 'spa',
    client_secret_hash: null,
    token_endpoint_auth_method: 'none',
    callbacks: [],
    allowed_logout_urls: [],
    allowed_origins,
    grant_types: ['authorization_code', 'refresh_token'],
    refresh_token: DEFAULT_REFRESH_TOKEN_POLICY,
    is_first_party: true,
    created_at: 0,
    updated_at: 0,
  });
  beforeEach(() => {
    store = openSqliteStore(':memory:');
    clock = new ManualClock();
  });
  afterEach(() => store.close());

  it('allows an origin any client registered, across pages of clients', async () => {
    for (let i = 0; i < 150; i++) await store.directory.putClient(client(`c${i}`, [`https://app${i}.test`]));
    const origins = new RegisteredOrigins(store.directory, clock);
    expect(await origins.allows('https://app0.test')).toBe(true);
    expect(await origins.allows('https://app149.test')).toBe(true);
    expect(await origins.allows('https://app150.test')).toBe(false);
    expect(await origins.allows('https://app0.test/')).toBe(false);
  });

  it('sees a change made elsewhere once its copy is 2 s old, and one made here at once after forget()', async () => {
    await store.directory.putClient(client('a', ['https://a.test']));
    const origins = new RegisteredOrigins(store.directory, clock);
    expect(await origins.allows('https://b.test')).toBe(false);
    await store.directory.putClient(client('b', ['https://b.test']));
    expect(await origins.allows('https://b.test')).toBe(false);
    clock.advance(2_000);
    expect(await origins.allows('https://b.test')).toBe(true);
    await store.directory.putClient(client('c', ['https://c.test']));
    origins.forget();
    expect(await origins.allows('https://c.test')).toBe(true);
  });
});
