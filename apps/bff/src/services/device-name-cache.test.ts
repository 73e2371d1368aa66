import { describe, expect, it } from 'vitest';
import type { DeviceCredential } from '../management/gateway.ts';
import { DeviceNameCache } from './device-name-cache.ts';

/** A user's credentials as the gateway lists them: the embedded tenant's, joined by token id. */
const credentialsOf = (count: number, first = 0): DeviceCredential[] =>
  Array.from(
    { length: count },
    (_, i) =>
      ({
        id: `dcr_t${first + i}`,
        device_name: `Phone ${(first + i) % 3}`,
        token_id: `t${first + i}`,
      }) as DeviceCredential,
  );

function cacheWith(
  load: (userId: string) => DeviceCredential[],
  options: ConstructorParameters<typeof DeviceNameCache>[2] = {},
) {
  const calls: string[] = [];
  let now = 0;
  const cache = new DeviceNameCache(
    async (userId) => {
      calls.push(userId);
      return load(userId);
    },
    () => now,
    options,
  );
  return { cache, calls, advance: (ms: number) => (now += ms) };
}

describe('DeviceNameCache', () => {
  it("reads a user's credentials once for many pages, and again for a token issued since", async () => {
    let count = 120;
    const { cache, calls } = cacheWith(() => credentialsOf(count));
    expect((await cache.namesFor('u', ['t0', 't1'])).get('t1')).toBe('Phone 1');
    await cache.namesFor('u', ['t100', 't119']);
    expect(calls).toEqual(['u']);
    count = 121;
    expect((await cache.namesFor('u', ['t120'])).get('t120')).toBe('Phone 0');
    expect(calls).toEqual(['u', 'u']);
  });

  it('does not read again for tokens past the cap: a read stops there, so another names nothing new', async () => {
    const { cache, calls } = cacheWith(() => credentialsOf(100), { capPerUser: 100 });
    await cache.namesFor('heavy', ['t0']);
    for (let page = 0; page < 5; page++)
      expect((await cache.namesFor('heavy', [`t${200 + page}`])).has(`t${200 + page}`)).toBe(false);
    expect(calls).toEqual(['heavy']);
  });

  it('keeps at most maxNames names in all, the least recently read user going first, and drops expired users on every write', async () => {
    const { cache, calls, advance } = cacheWith(() => credentialsOf(40), { maxNames: 100, ttlMs: 1_000 });
    for (const user of ['a', 'b', 'c']) await cache.namesFor(user, ['t0']);
    await cache.namesFor('a', ['t0']); // 120 names > 100: 'a' went when 'c' came
    expect(calls).toEqual(['a', 'b', 'c', 'a']);
    await cache.namesFor('c', ['t0']);
    expect(calls).toHaveLength(4); // 'c' was kept
    advance(1_000);
    await cache.namesFor('d', ['t0']); // the others expired: dropped
    await cache.namesFor('c', ['t0']);
    expect(calls).toEqual(['a', 'b', 'c', 'a', 'd', 'c']);
  });

  it('on a tenant that joins no credential to a token (a real Auth0 one), names nothing and does not read again within the lifetime', async () => {
    const { cache, calls } = cacheWith(() => [
      { id: 'dcr_auth0', device_name: 'Phone', token_id: null } as DeviceCredential,
    ]);
    expect((await cache.namesFor('u', ['x'])).size).toBe(0);
    await cache.namesFor('u', ['y']);
    expect(calls).toEqual(['u']);
  });
});
