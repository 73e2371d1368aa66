import { openSqlite } from '@rtc/db/sqlite';
import type Database from 'better-sqlite3';
import type { Adapter, AdapterConstructor, AdapterPayload } from 'oidc-provider';

/**
 * One keyed table for every model, as oidc-provider's example SQL adapters keep them (its
 * knex and Sequelize examples): the payload as JSON beside the columns the provider looks
 * things up by (grant, user code, session uid), its expiry, and when it was consumed.
 */
const SCHEMA = `
CREATE TABLE oidc_payloads (
  model TEXT NOT NULL,
  id TEXT NOT NULL,
  payload TEXT NOT NULL,
  grant_id TEXT,
  user_code TEXT,
  uid TEXT,
  expires_at INTEGER,
  consumed_at INTEGER,
  PRIMARY KEY (model, id)
) WITHOUT ROWID;
CREATE INDEX oidc_payloads_grant ON oidc_payloads (grant_id, model) WHERE grant_id IS NOT NULL;
CREATE INDEX oidc_payloads_user_code ON oidc_payloads (user_code, model) WHERE user_code IS NOT NULL;
CREATE INDEX oidc_payloads_uid ON oidc_payloads (uid, model) WHERE uid IS NOT NULL;
`;

/** The durable peer's database: opened as our tenant opens its own (WAL, synchronous=FULL, a busy timeout). */
export const openPeerDatabase = (file: string): Database.Database => openSqlite(file, [SCHEMA]);

/**
 * oidc-provider's Adapter over better-sqlite3, one statement per call as its adapter docs
 * describe (`find` answers nothing once a row has expired; `consume` marks, `destroy` and
 * `revokeByGrantId` delete).
 *
 * Durability follows our tenant's rule for the same kinds of write (SqliteConnection): what
 * issues or rotates a token (`upsert`, `consume`) is committed to the WAL without an fsync of
 * its own, as our rotation is; what takes a token away (`destroy`, `revokeByGrantId`) is
 * fsynced before the answer (synchronous=FULL), as our revocations are. A killed process
 * loses nothing either way: every commit is in the WAL before the answer.
 */
export function sqliteAdapter(db: Database.Database): AdapterConstructor {
  const statements = {
    upsert: db.prepare(
      `INSERT INTO oidc_payloads (model, id, payload, grant_id, user_code, uid, expires_at)
       VALUES (@model, @id, @payload, @grantId, @userCode, @uid, @expiresAt)
       ON CONFLICT (model, id) DO UPDATE SET payload = excluded.payload, grant_id = excluded.grant_id,
         user_code = excluded.user_code, uid = excluded.uid, expires_at = excluded.expires_at`,
    ),
    find: db.prepare(
      'SELECT payload, consumed_at FROM oidc_payloads WHERE model = ? AND id = ? AND (expires_at IS NULL OR expires_at > ?)',
    ),
    findByUserCode: db.prepare(
      'SELECT payload, consumed_at FROM oidc_payloads WHERE model = ? AND user_code = ? AND (expires_at IS NULL OR expires_at > ?)',
    ),
    findByUid: db.prepare(
      'SELECT payload, consumed_at FROM oidc_payloads WHERE model = ? AND uid = ? AND (expires_at IS NULL OR expires_at > ?)',
    ),
    consume: db.prepare('UPDATE oidc_payloads SET consumed_at = ? WHERE model = ? AND id = ?'),
    destroy: db.prepare('DELETE FROM oidc_payloads WHERE model = ? AND id = ?'),
    revokeByGrantId: db.prepare('DELETE FROM oidc_payloads WHERE model = ? AND grant_id = ?'),
  };
  const walOnly = db.prepare('PRAGMA synchronous = NORMAL');
  const full = db.prepare('PRAGMA synchronous = FULL');
  /** One statement committed to the WAL without its own fsync (see above); in the seed's transaction, part of it. */
  const withoutFsync = (write: () => unknown) => {
    if (db.inTransaction) {
      write();
      return;
    }
    walOnly.run();
    try {
      write();
    } finally {
      full.run();
    }
  };
  const payloadOf = (row: unknown): AdapterPayload | undefined => {
    if (!row) return undefined;
    const { payload, consumed_at } = row as { payload: string; consumed_at: number | null };
    return { ...JSON.parse(payload), ...(consumed_at !== null ? { consumed: consumed_at } : {}) };
  };
  const epochSeconds = () => Math.floor(Date.now() / 1000);

  return class SqliteAdapter implements Adapter {
    constructor(private readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number) {
      withoutFsync(() =>
        statements.upsert.run({
          model: this.model,
          id,
          payload: JSON.stringify(payload),
          grantId: payload.grantId ?? null,
          userCode: payload.userCode ?? null,
          uid: payload.uid ?? null,
          expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : null,
        }),
      );
    }
    async find(id: string) {
      return payloadOf(statements.find.get(this.model, id, Date.now()));
    }
    async findByUserCode(userCode: string) {
      return payloadOf(statements.findByUserCode.get(this.model, userCode, Date.now()));
    }
    async findByUid(uid: string) {
      return payloadOf(statements.findByUid.get(this.model, uid, Date.now()));
    }
    async consume(id: string) {
      withoutFsync(() => statements.consume.run(epochSeconds(), this.model, id));
    }
    async destroy(id: string) {
      statements.destroy.run(this.model, id);
    }
    async revokeByGrantId(grantId: string) {
      statements.revokeByGrantId.run(this.model, grantId);
    }
  };
}
