import { expect, it } from 'vitest';
import { sha256 } from '../../crypto/secrets.ts';
import { describeContract, T0, mint, userRecord } from './contract-harness.ts';

/**
 * The contract of users (DirectoryStore, ./directory.ts): created, updated, put, deleted with what
 * is theirs, logins, search; on every store (see ./contract-harness.ts).
 */
describeContract(({ withStore }) => {
  it(
    'creates a user once: a taken id or email (any case) is a conflict',
    withStore(async (store) => {
      expect(await store.directory.createUser(userRecord('auth0|a', 'Ann@Example.test'))).toBe(true);
      expect(await store.directory.createUser(userRecord('auth0|b', 'ann@example.TEST'))).toBe(false);
      expect(await store.directory.createUser(userRecord('auth0|a', 'other@example.test'))).toBe(false);
      expect((await store.directory.getUser('auth0|a'))!.email).toBe('Ann@Example.test');
      expect(await store.directory.getUser('auth0|b')).toBeUndefined();
    }),
  );

  it(
    'updates a user unless another user has the email',
    withStore(async (store) => {
      await store.directory.createUser(userRecord('auth0|a', 'a@example.test'));
      await store.directory.createUser(userRecord('auth0|b', 'b@example.test'));
      expect(await store.directory.updateUser({ ...userRecord('auth0|a', 'A@example.test'), blocked: true })).toBe(
        'updated',
      );
      expect(await store.directory.getUser('auth0|a')).toMatchObject({ email: 'A@example.test', blocked: true });
      expect(await store.directory.updateUser(userRecord('auth0|a', 'B@EXAMPLE.test'))).toBe('email_taken');
      expect((await store.directory.getUser('auth0|a'))!.email).toBe('A@example.test');
      expect(await store.directory.updateUser(userRecord('auth0|nobody', 'n@example.test'))).toBe('not_found');
    }),
  );

  it(
    'deletes a user with their grants and sessions, and journals the revocation of their tokens',
    withStore(async (store) => {
      await store.directory.createUser(userRecord('u1', 'u1@example.test'));
      const grant = await store.directory.upsertGrant(
        { user_id: 'u1', client_id: 'app', audience: 'https://api/', scope: ['a'] },
        'g1',
        T0,
      );
      const session = {
        id: 's1',
        user_id: 'u1',
        created_at: T0,
        updated_at: T0,
        authenticated_at: T0,
        last_interacted_at: T0,
        idle_expires_at: null,
        expires_at: null,
        device: {
          initial_ip: null,
          initial_asn: null,
          initial_user_agent: null,
          last_ip: null,
          last_asn: null,
          last_user_agent: null,
        },
        clients: [],
        authentication_methods: [],
        revoked_at: null,
      };
      await store.sessions.createSession(session, sha256('cookie'));
      const token = mint('u1', T0, { grant_id: grant.id });
      await store.refreshTokens.issueRefreshToken(token.record, 200);
      const other = mint('u2', T0);
      await store.refreshTokens.issueRefreshToken(other.record, 200);
      expect(await store.directory.deleteUser('u1', { id: 'job-u', now: T0 + 1 })).toMatchObject({ user_id: 'u1' });
      expect(await store.directory.getUser('u1')).toBeUndefined();
      expect(await store.directory.getGrant(grant.id)).toBeUndefined();
      expect((await store.sessions.getSession('s1'))!.revoked_at).toBe(T0 + 1);
      expect((await store.refreshTokens.findRefreshTokenBySecret(sha256(token.value), T0 + 2))!.usable).toBe(false);
      expect((await store.refreshTokens.findRefreshTokenBySecret(sha256(other.value), T0 + 2))!.usable).toBe(true);
      expect((await store.revocationJournal.listRevocationJobs()).map((j) => j.target)).toEqual([
        { kind: 'user', user_id: 'u1' },
      ]);
      expect(await store.directory.deleteUser('u1', { id: 'job-u2', now: T0 + 3 })).toBeUndefined();
    }),
  );

  it(
    'finds a user by email in any case',
    withStore(async (store) => {
      await store.directory.createUser(userRecord('auth0|a', 'Ann@Example.test'));
      await store.directory.createUser(userRecord('auth0|b', 'bob@example.test'));
      expect(await store.directory.getUserByEmail('ann@example.TEST')).toEqual(
        userRecord('auth0|a', 'Ann@Example.test'),
      );
      expect((await store.directory.getUserByEmail('BOB@example.test'))!.user_id).toBe('auth0|b');
      expect(await store.directory.getUserByEmail('nobody@example.test')).toBeUndefined();
    }),
  );

  it(
    'puts a user: adds it, or replaces the one with its id',
    withStore(async (store) => {
      const ann = {
        ...userRecord('auth0|a', 'ann@example.test'),
        password_hash: 'hash',
        app_metadata: { plan: 'free' },
        last_login: T0 + 5,
        last_ip: '192.0.2.1',
        logins_count: 2,
      };
      await store.directory.putUser(ann);
      expect(await store.directory.getUser('auth0|a')).toEqual(ann);
      const changed = {
        ...ann,
        email: 'ann@other.test',
        name: 'Ann',
        blocked: true,
        password_hash: null,
        app_metadata: { plan: 'pro' },
        last_login: T0 + 9,
        updated_at: T0 + 9,
      };
      await store.directory.putUser(changed);
      expect(await store.directory.getUser('auth0|a')).toEqual(changed);
      expect(await store.directory.getUserByEmail('ann@other.test')).toEqual(changed);
      expect(await store.directory.getUserByEmail('ann@example.test')).toBeUndefined();
      expect((await store.directory.searchUsers({ page: 0, perPage: 10 })).total).toBe(1);
    }),
  );

  it(
    'records each login of a user (time, address, count), every one of concurrent logins counted; an unknown user is no-op',
    withStore(async (store) => {
      await store.directory.createUser(userRecord('u1', 'u1@example.test'));
      await store.directory.createUser(userRecord('u2', 'u2@example.test'));
      await Promise.all(Array.from({ length: 5 }, () => store.directory.recordLogin('u1', '198.51.100.1', T0 + 100)));
      await store.directory.recordLogin('u1', '203.0.113.7', T0 + 200);
      expect(await store.directory.getUser('u1')).toEqual({
        ...userRecord('u1', 'u1@example.test'),
        last_login: T0 + 200,
        last_ip: '203.0.113.7',
        logins_count: 6,
        updated_at: T0 + 200,
      });
      expect(await store.directory.getUser('u2')).toEqual(userRecord('u2', 'u2@example.test'));
      // The time is what the user search sorts by, too.
      expect(
        (
          await store.directory.searchUsers({ page: 0, perPage: 10, sort: { field: 'last_login', order: -1 } })
        ).items.map((u) => u.user_id),
      ).toEqual(['u1', 'u2']);
      await store.directory.recordLogin('nobody', null, T0 + 300);
      expect(await store.directory.getUser('nobody')).toBeUndefined();
    }),
  );

  it(
    'searches users: a substring of email, name or user id in any case, or of one field; `*` a wildcard, `_` literal; sorted, paged, with the total',
    withStore(async (store) => {
      const user = (user_id: string, email: string, name: string, created_at: number, last_login: number | null) => ({
        ...userRecord(user_id, email),
        name,
        created_at,
        last_login,
      });
      for (const u of [
        user('auth0|1', 'ann@example.test', 'Ann Lee', T0 + 3, T0 + 10),
        user('auth0|2', 'bob@example.test', 'Bob Annson', T0 + 1, null),
        user('auth0|3', 'carol@corp.test', 'Carol', T0 + 2, T0 + 30),
        user('auth0|4', 'dan_1@corp.test', 'Dan 100%', T0 + 4, T0 + 20),
        user('auth0|ann', 'x@other.test', 'X', T0, null),
      ])
        await store.directory.createUser(u);
      type Query = Parameters<typeof store.directory.searchUsers>[0];
      const search = async (query: Partial<Query>) => {
        const { items, total } = await store.directory.searchUsers({ page: 0, perPage: 50, ...query });
        return { ids: items.map((u) => u.user_id), total };
      };
      const found = async (query: Partial<Query>) => (await search(query)).ids;
      // Any field; by default oldest first.
      expect(await search({ q: 'ann' })).toEqual({ ids: ['auth0|ann', 'auth0|2', 'auth0|1'], total: 3 });
      expect(await found({ q: 'ANN', field: 'email' })).toEqual(['auth0|1']);
      expect(await found({ q: 'annson', field: 'name' })).toEqual(['auth0|2']);
      expect(await found({ q: 'x@other.test', field: 'name' })).toEqual([]);
      expect(await found({ q: 'auth0|ann', field: 'user_id' })).toEqual(['auth0|ann']);
      // `*` matches anything and anchors the rest; without it, a substring.
      expect(await found({ q: 'ann*' })).toEqual(['auth0|1']);
      expect(await found({ q: '*@corp.test', field: 'email' })).toEqual(['auth0|3', 'auth0|4']);
      expect(await found({ q: 'c*l', field: 'name' })).toEqual(['auth0|3']);
      // SQL wildcards are plain characters (`%`: see the test after this one).
      expect(await found({ q: 'dan_' })).toEqual(['auth0|4']);
      expect(await found({ q: 'b_b' })).toEqual([]);
      // Sorted by any sortable field either way, ties by user id; no last login sorts first ascending, last descending.
      expect(await found({ sort: { field: 'email', order: 1 } })).toEqual([
        'auth0|1',
        'auth0|2',
        'auth0|3',
        'auth0|4',
        'auth0|ann',
      ]);
      expect(await found({ sort: { field: 'name', order: -1 } })).toEqual([
        'auth0|ann',
        'auth0|4',
        'auth0|3',
        'auth0|2',
        'auth0|1',
      ]);
      expect(await found({ sort: { field: 'created_at', order: -1 } })).toEqual([
        'auth0|4',
        'auth0|1',
        'auth0|3',
        'auth0|2',
        'auth0|ann',
      ]);
      expect(await found({ sort: { field: 'last_login', order: 1 } })).toEqual([
        'auth0|2',
        'auth0|ann',
        'auth0|1',
        'auth0|4',
        'auth0|3',
      ]);
      expect(await found({ sort: { field: 'last_login', order: -1 } })).toEqual([
        'auth0|3',
        'auth0|4',
        'auth0|1',
        'auth0|2',
        'auth0|ann',
      ]);
      expect(await found({ sort: { field: 'user_id', order: -1 } })).toEqual([
        'auth0|ann',
        'auth0|4',
        'auth0|3',
        'auth0|2',
        'auth0|1',
      ]);
      // Paged: the total counts every match, not the page.
      expect(await search({ sort: { field: 'user_id', order: 1 }, page: 1, perPage: 2 })).toEqual({
        ids: ['auth0|3', 'auth0|4'],
        total: 5,
      });
      expect(await search({ sort: { field: 'user_id', order: 1 }, page: 2, perPage: 2 })).toEqual({
        ids: ['auth0|ann'],
        total: 5,
      });
      expect(await search({ sort: { field: 'user_id', order: 1 }, page: 3, perPage: 2 })).toEqual({
        ids: [],
        total: 5,
      });
      expect(await search({ q: 'ann', page: 1, perPage: 1 })).toEqual({ ids: ['auth0|2'], total: 3 });
      expect((await store.directory.searchUsers({ q: 'carol', page: 0, perPage: 1 })).items).toEqual([
        user('auth0|3', 'carol@corp.test', 'Carol', T0 + 2, T0 + 30),
      ]);
    }),
  );

  // Failed on both stores until sql/user-search.ts: the escaped `%` was taken for a wildcard, so
  // the search was anchored and '100%' found only a value that was exactly '100%'.
  it(
    'takes `%` in a user search literally, as a substring like any other text',
    withStore(async (store) => {
      await store.directory.createUser({ ...userRecord('auth0|4', 'dan@corp.test'), name: 'Dan 100%' });
      await store.directory.createUser({ ...userRecord('auth0|5', 'eve@corp.test'), name: 'Eve 1000' });
      expect(
        (await store.directory.searchUsers({ q: '100%', page: 0, perPage: 10 })).items.map((u) => u.user_id),
      ).toEqual(['auth0|4']);
      expect(
        (await store.directory.searchUsers({ q: '%', field: 'name', page: 0, perPage: 10 })).items.map(
          (u) => u.user_id,
        ),
      ).toEqual(['auth0|4']);
    }),
  );

  // PostgreSQL ordered by the column's collation (the database's, "C": capitals first) and SQLite
  // names by BINARY, so the console's sort=email:1 or name:1 differed by store.
  it(
    'sorts users by email and by name without case, as emails compare everywhere else',
    withStore(async (store) => {
      for (const [id, email, name] of [
        ['u1', 'Zed@example.test', 'bob'],
        ['u2', 'amy@example.test', 'Carl'],
        ['u3', 'Bea@example.test', 'Ann'],
      ] as const) {
        await store.directory.createUser({ ...userRecord(id, email), name });
      }
      const sorted = async (field: 'email' | 'name', order: 1 | -1) =>
        (await store.directory.searchUsers({ page: 0, perPage: 10, sort: { field, order } })).items.map(
          (u) => u[field],
        );
      expect(await sorted('email', 1)).toEqual(['amy@example.test', 'Bea@example.test', 'Zed@example.test']);
      expect(await sorted('email', -1)).toEqual(['Zed@example.test', 'Bea@example.test', 'amy@example.test']);
      expect(await sorted('name', 1)).toEqual(['Ann', 'bob', 'Carl']);
    }),
  );
});
