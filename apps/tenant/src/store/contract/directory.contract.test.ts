import { expect, it } from 'vitest';
import { sha256 } from '../../crypto/secrets.ts';
import { describeContract, T0, client, mint, userRecord } from './contract-harness.ts';

/** The contract of clients, APIs, client grants, users and grants (DirectoryStore, ./directory.ts), on every store (see ./contract-harness.ts). */
describeContract(({ withStore }) => {
  it('deletes a grant and journals the revocation of its tokens', withStore(async (store) => {
    const grant = await store.upsertGrant({ user_id: 'u1', client_id: 'app', audience: 'https://api/', scope: ['a'] }, 'g1', T0);
    const again = await store.upsertGrant({ user_id: 'u1', client_id: 'app', audience: 'https://api/', scope: ['b'] }, 'g2', T0 + 1);
    expect(again.id).toBe(grant.id);
    expect(again.scope).toEqual(['a', 'b']);
    const token = mint('u1', T0, { grant_id: grant.id });
    await store.issueRefreshToken(token.record, 200);
    expect(await store.deleteGrant(grant.id, { id: 'job-g', now: T0 + 2 })).toMatchObject({ id: grant.id });
    expect(await store.getGrant(grant.id)).toBeUndefined();
    expect((await store.findRefreshTokenBySecret(sha256(token.value), T0 + 2))!.usable).toBe(false);
    expect(await store.deleteGrant(grant.id, { id: 'job-g2', now: T0 + 3 })).toBeUndefined();
  }));

  it('creates a user once: a taken id or email (any case) is a conflict', withStore(async (store) => {
    expect(await store.createUser(userRecord('auth0|a', 'Ann@Example.test'))).toBe(true);
    expect(await store.createUser(userRecord('auth0|b', 'ann@example.TEST'))).toBe(false);
    expect(await store.createUser(userRecord('auth0|a', 'other@example.test'))).toBe(false);
    expect((await store.getUser('auth0|a'))!.email).toBe('Ann@Example.test');
    expect(await store.getUser('auth0|b')).toBeUndefined();
  }));

  it('updates a user unless another user has the email', withStore(async (store) => {
    await store.createUser(userRecord('auth0|a', 'a@example.test'));
    await store.createUser(userRecord('auth0|b', 'b@example.test'));
    expect(await store.updateUser({ ...userRecord('auth0|a', 'A@example.test'), blocked: true })).toBe('updated');
    expect(await store.getUser('auth0|a')).toMatchObject({ email: 'A@example.test', blocked: true });
    expect(await store.updateUser(userRecord('auth0|a', 'B@EXAMPLE.test'))).toBe('email_taken');
    expect((await store.getUser('auth0|a'))!.email).toBe('A@example.test');
    expect(await store.updateUser(userRecord('auth0|nobody', 'n@example.test'))).toBe('not_found');
  }));

  it('deletes a user with their grants and sessions, and journals the revocation of their tokens', withStore(async (store) => {
    await store.createUser(userRecord('u1', 'u1@example.test'));
    const grant = await store.upsertGrant({ user_id: 'u1', client_id: 'app', audience: 'https://api/', scope: ['a'] }, 'g1', T0);
    const session = { id: 's1', user_id: 'u1', created_at: T0, updated_at: T0, authenticated_at: T0, last_interacted_at: T0, idle_expires_at: null, expires_at: null, device: { initial_ip: null, initial_asn: null, initial_user_agent: null, last_ip: null, last_asn: null, last_user_agent: null }, clients: [], authentication_methods: [], revoked_at: null };
    await store.createSession(session, sha256('cookie'));
    const token = mint('u1', T0, { grant_id: grant.id });
    await store.issueRefreshToken(token.record, 200);
    const other = mint('u2', T0);
    await store.issueRefreshToken(other.record, 200);
    expect(await store.deleteUser('u1', { id: 'job-u', now: T0 + 1 })).toMatchObject({ user_id: 'u1' });
    expect(await store.getUser('u1')).toBeUndefined();
    expect(await store.getGrant(grant.id)).toBeUndefined();
    expect((await store.getSession('s1'))!.revoked_at).toBe(T0 + 1);
    expect((await store.findRefreshTokenBySecret(sha256(token.value), T0 + 2))!.usable).toBe(false);
    expect((await store.findRefreshTokenBySecret(sha256(other.value), T0 + 2))!.usable).toBe(true);
    expect((await store.listRevocationJobs()).map((j) => j.target)).toEqual([{ kind: 'user', user_id: 'u1' }]);
    expect(await store.deleteUser('u1', { id: 'job-u2', now: T0 + 3 })).toBeUndefined();
  }));

  it('deletes a client with its client grants and consent grants, and journals the revocation of its tokens', withStore(async (store) => {
    await store.putClient(client);
    await store.putClient({ ...client, client_id: 'other' });
    await store.putClientGrant({ id: 'cg1', client_id: 'app', audience: 'https://api/', scope: ['a'] });
    const grant = await store.upsertGrant({ user_id: 'u1', client_id: 'app', audience: 'https://api/', scope: ['a'] }, 'g1', T0);
    const token = mint('u1', T0, { grant_id: grant.id });
    await store.issueRefreshToken(token.record, 200);
    expect(await store.deleteClient('app', { id: 'job-c', now: T0 + 1 })).toMatchObject({ client_id: 'app' });
    expect(await store.getClient('app')).toBeUndefined();
    expect(await store.getClient('other')).toBeDefined();
    expect(await store.getClientGrantById('cg1')).toBeUndefined();
    expect(await store.getGrant(grant.id)).toBeUndefined();
    expect((await store.findRefreshTokenBySecret(sha256(token.value), T0 + 2))!.usable).toBe(false);
    expect(await store.deleteClient('app', { id: 'job-c2', now: T0 + 2 })).toBeUndefined();
  }));

  it('creates, finds and deletes APIs; an identifier or id is taken once; deleting one drops its client grants', withStore(async (store) => {
    const api = { id: 'rs1', identifier: 'https://api/', name: 'API', scopes: [{ value: 'read', description: 'Read' }], token_lifetime: 3600, allow_offline_access: false, is_system: false };
    expect(await store.createResourceServer(api)).toBe(true);
    expect(await store.createResourceServer({ ...api, id: 'rs2' })).toBe(false);
    expect(await store.createResourceServer({ ...api, identifier: 'https://other/' })).toBe(false);
    expect(await store.getResourceServerById('rs1')).toEqual(api);
    await store.putClientGrant({ id: 'cg1', client_id: 'app', audience: 'https://api/', scope: ['read'] });
    expect(await store.deleteResourceServer('rs1')).toEqual(api);
    expect(await store.getResourceServer('https://api/')).toBeUndefined();
    expect(await store.getClientGrantById('cg1')).toBeUndefined();
    expect(await store.deleteResourceServer('rs1')).toBeUndefined();
  }));

  it('keeps one client grant per client and audience; lists, narrows and deletes them', withStore(async (store) => {
    expect(await store.createClientGrant({ id: 'cg_1', client_id: 'a', audience: 'https://x/', scope: ['r', 'w'] })).toBe(true);
    expect(await store.createClientGrant({ id: 'cg_2', client_id: 'a', audience: 'https://x/', scope: [] })).toBe(false);
    expect(await store.createClientGrant({ id: 'cg_1', client_id: 'b', audience: 'https://y/', scope: [] })).toBe(false);
    for (let i = 3; i <= 7; i++) await store.createClientGrant({ id: `cg_${i}`, client_id: i % 2 ? 'b' : 'c', audience: `https://${i}/`, scope: [] });
    const seen: string[] = [];
    let from: string | undefined;
    do {
      const page = await store.listClientGrants({}, from, 2);
      seen.push(...page.items.map((g) => g.id));
      from = page.next;
    } while (from);
    expect(seen).toEqual(['cg_1', 'cg_3', 'cg_4', 'cg_5', 'cg_6', 'cg_7']);
    expect((await store.listClientGrants({ client_id: 'b' }, undefined, 50)).items.map((g) => g.id)).toEqual(['cg_3', 'cg_5', 'cg_7']);
    expect((await store.listClientGrants({ audience: 'https://x/' }, undefined, 50)).items.map((g) => g.id)).toEqual(['cg_1']);
    expect(await store.countClientGrants({ client_id: 'b' })).toBe(3);
    expect(await store.countClientGrants({})).toBe(6);
    expect(await store.updateClientGrantScope('cg_1', ['r'])).toEqual({ id: 'cg_1', client_id: 'a', audience: 'https://x/', scope: ['r'] });
    expect((await store.getClientGrant('a', 'https://x/'))!.scope).toEqual(['r']);
    expect(await store.updateClientGrantScope('cg_none', ['r'])).toBeUndefined();
    expect(await store.deleteClientGrant('cg_1')).toMatchObject({ id: 'cg_1' });
    expect(await store.getClientGrant('a', 'https://x/')).toBeUndefined();
    expect(await store.deleteClientGrant('cg_1')).toBeUndefined();
  }));
});
