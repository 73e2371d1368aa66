import { describe, expect, it } from 'vitest';
import { sha256 } from '../../crypto/secrets.ts';
import type { RotationPlanner } from '../../domain/model.ts';
import { planExchange } from '../../domain/refresh-tokens.ts';
import { tenantEvent } from '../../domain/tenant-log.ts';
import { T0, mint, userRecord } from '../contract/contract-harness.ts';
import { openSqliteStore } from './sqlite-store.ts';

/**
 * SQLite commits the rotations asked for in one turn of the event loop as one transaction, each
 * in a savepoint (SqliteRefreshTokens.commitRotations). What one rotation's failure may undo is
 * the contract's (refresh-tokens.contract.test.ts); this is what only SQLite can do: end the
 * whole transaction on an error (an I/O or disk-full error rolls everything back).
 */
describe('SQLite: rotation groups', () => {
  it('an error that ends the whole transaction fails every rotation of the group, and none of them commits', async () => {
    const store = openSqliteStore(':memory:');
    try {
      await store.directory.createUser(userRecord('u1', 'u1@example.test'));
      const tokens = [mint('u1', T0), mint('u1', T0), mint('u1', T0)];
      for (const { record } of tokens) await store.refreshTokens.issueRefreshToken(record, 200);
      const now = T0 + 1;
      const planner = (i: number): RotationPlanner =>
        planExchange({
          clientId: 'app',
          now,
          newSecretHash: sha256(`next-${i}`),
          ip: null,
          asn: null,
          userAgent: null,
          dpopJkt: null,
          exchangeEvent: (token) =>
            tenantEvent({ type: 'sertft', description: 'exchange', user_id: token.user_id }, now),
        });
      // The middle rotation's error arrives after SQLite rolled the transaction back, as it does
      // on SQLITE_FULL or SQLITE_IOERR: the first rotation's writes are gone with it, and the
      // third must not go on in a transaction of its own.
      const endsTheTransaction: RotationPlanner = () => {
        store.raw.exec('ROLLBACK');
        throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      };
      const settled = await Promise.allSettled(
        tokens.map(({ value }, i) =>
          store.refreshTokens.rotateRefreshToken(sha256(value), now, i === 1 ? endsTheTransaction : planner(i)),
        ),
      );
      expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected']);
      for (const [i, { value, record }] of tokens.entries()) {
        expect((await store.refreshTokens.findRefreshTokenBySecret(sha256(`next-${i}`), now))?.usable ?? false).toBe(
          false,
        );
        expect((await store.refreshTokens.findRefreshTokenBySecret(sha256(value), now))?.usable).toBe(true);
        expect((await store.refreshTokens.getRefreshToken(record.id))!.last_exchanged_at).toBeNull();
      }
      expect(await store.events.countEvents({ type: 'sertft' })).toBe(0);
      // And the next group works as usual.
      const after = await store.refreshTokens.rotateRefreshToken(sha256(tokens[2]!.value), now, planner(2));
      expect(after.kind).toBe('exchanged');
    } finally {
      await store.close();
    }
  });
});
