import { expect, it } from 'vitest';
import { sha256 } from '../../crypto/secrets.ts';
import { describeContract, T0, client, mint } from './contract-harness.ts';

/** The contract of clients, APIs, client grants and grants (DirectoryStore, ./directory.ts), on every store (see ./contract-harness.ts). */
describeContract(({ withStore }) => {
  it(
    'deletes a grant and journals the revocation of its tokens',
    withStore(async (store) => {
      const grant = await store.directory.upsertGrant(
        { user_id: 'u1', client_id: 'app', audience: 'https://api/', scope: ['a'] },
        'g1',
        T0,
      );
      const again = await store.directory.upsertGrant(
        { user_id: 'u1', client_id: 'app', audience: 'https://api/', scope: ['b'] },
        'g2',
        T0 + 1,
      );
      expect(again.id).toBe(grant.id);
      expect(again.scope).toEqual(['a', 'b']);
      const token = mint('u1', T0, { grant_id: grant.id });
      await store.refreshTokens.issueRefreshToken(token.record, 200);
      expect(await store.directory.deleteGrant(grant.id, { id: 'job-g', now: T0 + 2 })).toMatchObject({ id: grant.id });
      expect(await store.directory.getGrant(grant.id)).toBeUndefined();
      expect((await store.refreshTokens.findRefreshTokenBySecret(sha256(token.value), T0 + 2))!.usable).toBe(false);
      expect(await store.directory.deleteGrant(grant.id, { id: 'job-g2', now: T0 + 3 })).toBeUndefined();
    }),
  );

  it(
    'deletes a client with its client grants and consent grants, and journals the revocation of its tokens',
    withStore(async (store) => {
      await store.directory.putClient(client);
      await store.directory.putClient({ ...client, client_id: 'other' });
      await store.directory.putClientGrant({ id: 'cg1', client_id: 'app', audience: 'https://api/', scope: ['a'] });
      const grant = await store.directory.upsertGrant(
        { user_id: 'u1', client_id: 'app', audience: 'https://api/', scope: ['a'] },
        'g1',
        T0,
      );
      const token = mint('u1', T0, { grant_id: grant.id });
      await store.refreshTokens.issueRefreshToken(token.record, 200);
      expect(await store.directory.deleteClient('app', { id: 'job-c', now: T0 + 1 })).toMatchObject({
        client_id: 'app',
      });
      expect(await store.directory.getClient('app')).toBeUndefined();
      expect(await store.directory.getClient('other')).toBeDefined();
      expect(await store.directory.getClientGrantById('cg1')).toBeUndefined();
      expect(await store.directory.getGrant(grant.id)).toBeUndefined();
      expect((await store.refreshTokens.findRefreshTokenBySecret(sha256(token.value), T0 + 2))!.usable).toBe(false);
      expect(await store.directory.deleteClient('app', { id: 'job-c2', now: T0 + 2 })).toBeUndefined();
    }),
  );

  it(
    'creates, finds and deletes APIs; an identifier or id is taken once; deleting one drops its client grants',
    withStore(async (store) => {
      const api = {
        id: 'rs1',
        identifier: 'https://api/',
        name: 'API',
        scopes: [{ value: 'read', description: 'Read' }],
        token_lifetime: 3600,
        allow_offline_access: false,
        is_system: false,
      };
      expect(await store.directory.createResourceServer(api)).toBe(true);
      expect(await store.directory.createResourceServer({ ...api, id: 'rs2' })).toBe(false);
      expect(await store.directory.createResourceServer({ ...api, identifier: 'https://other/' })).toBe(false);
      expect(await store.directory.getResourceServerById('rs1')).toEqual(api);
      await store.directory.putClientGrant({ id: 'cg1', client_id: 'app', audience: 'https://api/', scope: ['read'] });
      expect(await store.directory.deleteResourceServer('rs1')).toEqual(api);
      expect(await store.directory.getResourceServer('https://api/')).toBeUndefined();
      expect(await store.directory.getClientGrantById('cg1')).toBeUndefined();
      expect(await store.directory.deleteResourceServer('rs1')).toBeUndefined();
    }),
  );

  it(
    'keeps one client grant per client and audience; lists, narrows and deletes them',
    withStore(async (store) => {
      expect(
        await store.directory.createClientGrant({
          id: 'cg_1',
          client_id: 'a',
          audience: 'https://x/',
          scope: ['r', 'w'],
        }),
      ).toBe(true);
      expect(
        await store.directory.createClientGrant({ id: 'cg_2', client_id: 'a', audience: 'https://x/', scope: [] }),
      ).toBe(false);
      expect(
        await store.directory.createClientGrant({ id: 'cg_1', client_id: 'b', audience: 'https://y/', scope: [] }),
      ).toBe(false);
      for (let i = 3; i <= 7; i++)
        await store.directory.createClientGrant({
          id: `cg_${i}`,
          client_id: i % 2 ? 'b' : 'c',
          audience: `https://${i}/`,
          scope: [],
        });
      const seen: string[] = [];
      let from: string | undefined;
      do {
        const page = await store.directory.listClientGrants({}, from, 2);
        seen.push(...page.items.map((g) => g.id));
        from = page.next;
      } while (from);
      expect(seen).toEqual(['cg_1', 'cg_3', 'cg_4', 'cg_5', 'cg_6', 'cg_7']);
      expect(
        (await store.directory.listClientGrants({ client_id: 'b' }, undefined, 50)).items.map((g) => g.id),
      ).toEqual(['cg_3', 'cg_5', 'cg_7']);
      expect(
        (await store.directory.listClientGrants({ audience: 'https://x/' }, undefined, 50)).items.map((g) => g.id),
      ).toEqual(['cg_1']);
      expect(await store.directory.countClientGrants({ client_id: 'b' })).toBe(3);
      expect(await store.directory.countClientGrants({})).toBe(6);
      expect(await store.directory.updateClientGrantScope('cg_1', ['r'])).toEqual({
        id: 'cg_1',
        client_id: 'a',
        audience: 'https://x/',
        scope: ['r'],
      });
      expect((await store.directory.getClientGrant('a', 'https://x/'))!.scope).toEqual(['r']);
      expect(await store.directory.updateClientGrantScope('cg_none', ['r'])).toBeUndefined();
      expect(await store.directory.deleteClientGrant('cg_1')).toMatchObject({ id: 'cg_1' });
      expect(await store.directory.getClientGrant('a', 'https://x/')).toBeUndefined();
      expect(await store.directory.deleteClientGrant('cg_1')).toBeUndefined();
    }),
  );

  it(
    'pages clients by creation, then id, with the total; putting a client again replaces it',
    withStore(async (store) => {
      await store.directory.putClient({ ...client, client_id: 'c-late', created_at: T0 + 2 });
      await store.directory.putClient({ ...client, client_id: 'c-b', created_at: T0 });
      await store.directory.putClient({ ...client, client_id: 'c-a', created_at: T0 });
      const ids = async (page: number, perPage: number) => {
        const { items, total } = await store.directory.listClients(page, perPage);
        return { ids: items.map((c) => c.client_id), total };
      };
      expect(await ids(0, 2)).toEqual({ ids: ['c-a', 'c-b'], total: 3 });
      expect(await ids(1, 2)).toEqual({ ids: ['c-late'], total: 3 });
      expect(await ids(2, 2)).toEqual({ ids: [], total: 3 });
      await store.directory.putClient({
        ...client,
        client_id: 'c-b',
        created_at: T0,
        name: 'Renamed',
        callbacks: ['https://b/cb'],
      });
      const { items, total } = await store.directory.listClients(0, 10);
      expect(total).toBe(3);
      expect(items[1]).toEqual({
        ...client,
        client_id: 'c-b',
        created_at: T0,
        name: 'Renamed',
        callbacks: ['https://b/cb'],
      });
    }),
  );

  it(
    'lists APIs by identifier; putting an API again under its identifier replaces it',
    withStore(async (store) => {
      const api = (id: string, identifier: string, name = id) => ({
        id,
        identifier,
        name,
        scopes: [{ value: 'read', description: 'Read' }],
        token_lifetime: 3600,
        allow_offline_access: false,
        is_system: false,
      });
      expect(await store.directory.listResourceServers()).toEqual([]);
      await store.directory.putResourceServer(api('rs-b', 'https://b/'));
      await store.directory.putResourceServer(api('rs-a', 'https://a/'));
      expect(await store.directory.listResourceServers()).toEqual([
        api('rs-a', 'https://a/'),
        api('rs-b', 'https://b/'),
      ]);
      await store.directory.putResourceServer({ ...api('rs-b', 'https://b/', 'Renamed'), allow_offline_access: true });
      expect(await store.directory.listResourceServers()).toEqual([
        api('rs-a', 'https://a/'),
        { ...api('rs-b', 'https://b/', 'Renamed'), allow_offline_access: true },
      ]);
      expect(await store.directory.getResourceServer('https://b/')).toMatchObject({
        name: 'Renamed',
        allow_offline_access: true,
      });
      expect(await store.directory.getResourceServerById('rs-b')).toMatchObject({
        identifier: 'https://b/',
        name: 'Renamed',
      });
    }),
  );

  it(
    'moves an API to a new identifier with the client grants that name it; an unknown identifier changes nothing',
    withStore(async (store) => {
      const management = {
        id: 'mgmt',
        identifier: 'https://old/api/v2/',
        name: 'Auth0 Management API',
        scopes: [{ value: 'read:users', description: 'read:users' }],
        token_lifetime: 86_400,
        allow_offline_access: false,
        is_system: true,
      };
      const other = { ...management, id: 'rs-other', identifier: 'https://other/', name: 'Other', is_system: false };
      await store.directory.putResourceServer(management);
      await store.directory.putResourceServer(other);
      await store.directory.putClientGrant({
        id: 'cg-m',
        client_id: 'app',
        audience: 'https://old/api/v2/',
        scope: ['read:users'],
      });
      await store.directory.putClientGrant({ id: 'cg-o', client_id: 'app', audience: 'https://other/', scope: [] });
      await store.directory.retargetResourceServer('https://old/api/v2/', 'https://new/api/v2/');
      const moved = { ...management, identifier: 'https://new/api/v2/' };
      expect(await store.directory.getResourceServer('https://new/api/v2/')).toEqual(moved);
      expect(await store.directory.getResourceServer('https://old/api/v2/')).toBeUndefined();
      expect(await store.directory.getResourceServerById('mgmt')).toEqual(moved);
      expect(await store.directory.listResourceServers()).toEqual([moved, other]);
      expect(await store.directory.getClientGrantById('cg-m')).toEqual({
        id: 'cg-m',
        client_id: 'app',
        audience: 'https://new/api/v2/',
        scope: ['read:users'],
      });
      expect(await store.directory.getClientGrant('app', 'https://new/api/v2/')).toMatchObject({ id: 'cg-m' });
      expect(await store.directory.getClientGrantById('cg-o')).toMatchObject({ audience: 'https://other/' });
      await store.directory.retargetResourceServer('https://nowhere/', 'https://elsewhere/');
      expect(await store.directory.listResourceServers()).toEqual([moved, other]);
    }),
  );

  it(
    "finds a user's grant by user, application and audience",
    withStore(async (store) => {
      const grant = await store.directory.upsertGrant(
        { user_id: 'u1', client_id: 'app', audience: 'https://api/', scope: ['read'] },
        'g1',
        T0,
      );
      await store.directory.upsertGrant(
        { user_id: 'u1', client_id: 'app', audience: 'https://other/', scope: ['write'] },
        'g2',
        T0,
      );
      expect(await store.directory.findGrant('u1', 'app', 'https://api/')).toEqual(grant);
      expect(await store.directory.findGrant('u1', 'app', 'https://other/')).toMatchObject({
        id: 'g2',
        scope: ['write'],
      });
      expect(await store.directory.findGrant('u1', 'web', 'https://api/')).toBeUndefined();
      expect(await store.directory.findGrant('u2', 'app', 'https://api/')).toBeUndefined();
    }),
  );

  it(
    'pages grants by creation, narrowed by user, application and audience, with the total',
    withStore(async (store) => {
      const grant = (id: string, user_id: string, client_id: string, audience: string, now: number) =>
        store.directory.upsertGrant({ user_id, client_id, audience, scope: ['read'] }, id, now);
      const g1 = await grant('g1', 'u1', 'app', 'https://a/', T0 + 2);
      await grant('g2', 'u1', 'web', 'https://a/', T0);
      await grant('g3', 'u2', 'app', 'https://a/', T0 + 1);
      await grant('g4', 'u1', 'app', 'https://b/', T0 + 3);
      const listed = async (
        filter: { user_id?: string; client_id?: string; audience?: string },
        page = 0,
        perPage = 10,
      ) => {
        const { items, total } = await store.directory.listGrants(filter, page, perPage);
        return { ids: items.map((g) => g.id), total };
      };
      expect(await listed({})).toEqual({ ids: ['g2', 'g3', 'g1', 'g4'], total: 4 });
      expect(await listed({ user_id: 'u1' })).toEqual({ ids: ['g2', 'g1', 'g4'], total: 3 });
      expect(await listed({ client_id: 'app' })).toEqual({ ids: ['g3', 'g1', 'g4'], total: 3 });
      expect(await listed({ user_id: 'u1', client_id: 'app' })).toEqual({ ids: ['g1', 'g4'], total: 2 });
      expect(await listed({ audience: 'https://b/' })).toEqual({ ids: ['g4'], total: 1 });
      expect(await listed({ user_id: 'u3' })).toEqual({ ids: [], total: 0 });
      expect(await listed({}, 1, 3)).toEqual({ ids: ['g4'], total: 4 });
      expect(
        (await store.directory.listGrants({ user_id: 'u1', audience: 'https://a/', client_id: 'app' }, 0, 10)).items,
      ).toEqual([g1]);
    }),
  );
});
