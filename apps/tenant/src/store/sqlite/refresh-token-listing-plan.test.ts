import { describe, expect, it } from 'vitest';
import { recordPrepared } from './record-prepared.ts';
import { openSqliteStore } from './sqlite-store.ts';

/**
 * The Management API's token listing must cost a page, not a table: every shape of its
 * statement walks rt_user_live (user_id, id) from the user's first live token (or the
 * checkpoint) in id order, so LIMIT stops it. With the application filter, SQLite without
 * statistics chose rt_client_live (client_id, id) instead and walked every live token of the
 * application looking for the user's: 2.8 s at 1M tokens for a user without that application.
 */
describe('SQLite refresh-token listing plan', () => {
  it("walks one user's live tokens in id order in every shape, never an application's", async () => {
    const store = openSqliteStore(':memory:');
    try {
      const { db, prepared, stop } = recordPrepared(store);
      for (const client_id of [undefined, 'app']) {
        for (const from of [undefined, 'rt_checkpoint']) {
          for (const userMustExist of [false, true]) {
            await store.refreshTokens.listRefreshTokenSummaries({ user_id: 'u1', client_id }, 0, from, 50, {
              userMustExist,
            });
          }
        }
      }
      stop();
      const listings = prepared.filter((sql) => /FROM refresh_tokens/.test(sql));
      expect(listings).toHaveLength(8);
      for (const sql of listings) {
        const params = {
          user_id: 'u1',
          now: 0,
          limit: 51,
          ...(sql.includes('@client_id') ? { client_id: 'app' } : {}),
          ...(sql.includes('@from') ? { from: 'x' } : {}),
        };
        const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[]).map(
          (row) => row.detail,
        );
        const walk = plan.filter((detail) => detail.includes('refresh_tokens'));
        expect(walk, sql).toEqual([
          sql.includes('@from')
            ? 'SEARCH refresh_tokens USING INDEX rt_user_live (user_id=? AND id>?)'
            : 'SEARCH refresh_tokens USING INDEX rt_user_live (user_id=?)',
        ]);
        expect(plan.join('\n'), sql).not.toMatch(/TEMP B-TREE/);
      }
    } finally {
      await store.close();
    }
  });

  it("pages device credentials, counts and history of one user and application through the user's index, never the application's", async () => {
    const store = openSqliteStore(':memory:');
    try {
      const { db, prepared, stop } = recordPrepared(store);
      const filter = { user_id: 'u1', client_id: 'app' };
      await store.refreshTokens.pageRefreshTokens(filter, 0, 0, 50);
      await store.refreshTokens.countLiveRefreshTokens(filter, 0);
      await store.refreshTokens.listRefreshTokensHistory(filter, 0, 50);
      stop();
      const statements = prepared.filter((sql) => /FROM refresh_tokens/.test(sql) && sql.includes('client_id'));
      expect(statements.length).toBeGreaterThanOrEqual(3);
      for (const sql of statements) {
        const params = { user_id: 'u1', client_id: 'app', now: 0, limit: 50, offset: 0 };
        const used = Object.fromEntries(Object.entries(params).filter(([key]) => sql.includes(`@${key}`)));
        const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(used) as { detail: string }[])
          .map((row) => row.detail)
          .join('\n');
        expect(plan, sql).toMatch(/USING (COVERING )?INDEX rt_user_\w+ \(user_id=\?/);
        expect(plan, sql).not.toMatch(/rt_client/);
      }
    } finally {
      await store.close();
    }
  });

  it('finds a token by its secret (/oauth/revoke) with two key lookups and reads no user', async () => {
    const store = openSqliteStore(':memory:');
    try {
      const { db, prepared, stop } = recordPrepared(store);
      await store.refreshTokens.findRefreshTokenBySecret(Buffer.alloc(32), 0);
      stop();
      const [lookup] = prepared.filter((sql) => /FROM refresh_token_secrets/.test(sql));
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${lookup}`).all(Buffer.alloc(32)) as { detail: string }[]).map(
        (row) => row.detail,
      );
      expect(plan).toContain('SEARCH s USING PRIMARY KEY (hash=?)');
      expect(plan).toContain('SEARCH t USING INDEX sqlite_autoindex_refresh_tokens_1 (id=?)');
      // Besides them only the journal's check (revocation_jobs); the user's row is not read.
      expect(
        plan.filter((detail) => /^(SEARCH|SCAN) /.test(detail) && !/ (s|t|revocation_jobs)( |$)/.test(detail)),
      ).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
