import type { Queryable } from '@rtc/db/postgres';
import { addressKey, networkKey } from '@rtc/ip-intel';
import { checkDeviceName } from '../../domain/defaults.ts';
import { afterPlan, rejectedOutcome, isUsableSecret, whichSecret } from '../../domain/refresh-tokens.ts';
import { toUserFromPrefixed, toRefreshToken } from '../sql/rows.ts';
import { coveredByPendingRevocation, tableColumns, type TokenColumnsSql } from '../sql/pending-revocation.ts';
import type { NewRefreshToken, RotationOutcome, RotationPlanner } from '../../domain/model.ts';
import type { RefreshTokenStore } from '../contract/refresh-tokens.ts';
import type { RevokeReason } from '../../domain/revocation.ts';
import { prepared, type PreparedSql } from './connection.ts';
import { LIVE, PostgresRefreshTokenReads } from './refresh-token-reads.ts';

/**
 * Refresh tokens. Rotation writes only if the token's row is still as it read it (and after a
 * few lost races, locks the row: SELECT ... FOR UPDATE), so concurrent exchanges on any
 * instances have one winner; it reads the user's state and the journal's pending revocations in
 * the same statement as the token, from their tables. Its reads (listings, search,
 * counts) are in refresh-token-reads.ts.
 */
export class PostgresRefreshTokens extends PostgresRefreshTokenReads implements RefreshTokenStore {
  /** Inserts the token and its secret in the caller's transaction (`db`, its client): issuing one, or the bulk load. */
  async insertToken(db: Queryable, token: NewRefreshToken): Promise<void> {
    checkDeviceName(token.device_name);
    const ipKey = addressKey(token.device.initial_ip);
    await db.query(
      `INSERT INTO refresh_tokens (id, user_id, client_id, grant_id, session_id, device_name, audience, scope, resource_servers,
         rotating, leeway, idle_lifetime, created_at, expires_at, idle_expires_at, initial_ip, initial_asn, initial_user_agent,
         last_ip, last_asn, last_user_agent, metadata, current_hash, initial_ip_key, last_ip_key, initial_net_key, last_net_key, dpop_jkt)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $16, $17, $18, $19, $20, $21, $21, $22, $22, $23)`,
      [
        token.id,
        token.user_id,
        token.client_id,
        token.grant_id,
        token.session_id,
        token.device_name,
        token.audience,
        token.scope.join(' '),
        JSON.stringify(token.resource_servers),
        token.rotating,
        token.leeway,
        token.idle_lifetime,
        token.created_at,
        token.expires_at,
        token.idle_expires_at,
        token.device.initial_ip,
        token.device.initial_asn,
        token.device.initial_user_agent,
        JSON.stringify(token.metadata ?? {}),
        token.secretHash,
        ipKey,
        ipKey ? networkKey(ipKey) : null,
        token.dpop_jkt ?? null,
      ],
    );
    await db.query('INSERT INTO refresh_token_secrets (hash, token_id) VALUES ($1, $2)', [token.secretHash, token.id]);
  }

  async issueRefreshToken(token: NewRefreshToken, activeLimit: number): Promise<{ revokedForLimit: string[] }> {
    return this.connection.tx(async (db) => {
      await this.insertToken(db, token);
      const excess = await this.connection.all(
        `UPDATE refresh_tokens SET revoked_at = $4, revoked_reason = 'entity_limit'
         WHERE id IN (SELECT id FROM refresh_tokens WHERE user_id = $1 AND client_id = $2 AND ${LIVE.replaceAll('$NOW', '$4')}
                      ORDER BY created_at DESC, seq DESC OFFSET $3)
         RETURNING id`,
        [token.user_id, token.client_id, activeLimit, token.created_at],
        db,
      );
      return { revokedForLimit: excess.map((r) => r.id as string) };
    });
  }

  /**
   * Optimistic first: the row is read without a lock (one round trip, no transaction), the
   * planner decides, and the write applies only if the row is still as it was read (one more
   * round trip, which is also the commit). A write that finds the row changed (another exchange
   * of the same token rotated it, or a revocation marked it) decides again on the row as it is
   * now, exactly as the second of two exchanges does under the row lock: the same outcomes in
   * two round trips instead of four (BEGIN, the locked read, the write, COMMIT), and no lock held
   * across a round trip. After a few lost races (many presentations of one secret at once) it
   * takes the row lock, so a token in a stampede still gets its answer in bounded time.
   */
  async rotateRefreshToken(secretHash: Buffer, now: number, planner: RotationPlanner): Promise<RotationOutcome> {
    for (let attempt = 0; attempt < OPTIMISTIC_ATTEMPTS + LOCKED_ATTEMPTS; attempt++) {
      const outcome =
        attempt < OPTIMISTIC_ATTEMPTS
          ? await this.rotateOnce(this.connection.pool, ROTATION_READ, secretHash, now, planner)
          : // Under the row lock only what is not on the row (the journal, the user) can still change.
            await this.connection.tx((db) => this.rotateOnce(db, ROTATION_READ_LOCKED, secretHash, now, planner));
      if (outcome !== CHANGED_SINCE_READ) return outcome;
    }
    throw new Error('The refresh token kept changing while it was being exchanged');
  }

  /**
   * Reads the token (with `read`: locked or not), plans, and applies the plan, on `db`: the pool
   * (each statement its own transaction) or a transaction's client. The write names the secrets
   * and revocation the plan was made on, so it changes nothing if the row no longer has them.
   */
  private async rotateOnce(
    db: Queryable,
    read: PreparedSql,
    secretHash: Buffer,
    now: number,
    planner: RotationPlanner,
  ): Promise<RotationOutcome | typeof CHANGED_SINCE_READ> {
    // One statement reads the token by its secret and brings its user and the journal's verdict.
    const row = await this.connection.one(read, [secretHash], db);
    if (!row) return { kind: 'unknown' };
    const token = toRefreshToken(row);
    const plan = planner({
      token,
      presented: whichSecret(secretHash, row.current_hash, row.previous_hash),
      previous_valid_until: row.previous_valid_until,
      revoked_by_job: row.covered === true,
      user: row.user_state,
    });
    switch (plan.kind) {
      case 'reject':
        return rejectedOutcome(token, plan);
      case 'revoke-family': {
        // Once: a family another presentation revoked since the read is decided again (a refusal,
        // as under the row lock), so the reuse is detected, logged and answered once.
        const revoked = await this.connection.one(REVOKE_FAMILY, [now, plan.reason, token.id], db);
        if (!revoked && read === ROTATION_READ) return CHANGED_SINCE_READ;
        return { kind: 'reuse-detected', token: afterPlan(token, plan, now) };
      }
      case 'exchange': {
        const rotated = plan.newSecretHash !== null && !plan.replacesCurrent;
        const lastIpKey = addressKey(plan.lastIp);
        const written = await this.connection.one(
          ROTATION_WRITE,
          [
            token.id,
            plan.newSecretHash,
            rotated,
            plan.previousValidUntil,
            plan.idleExpiresAt,
            plan.lastExchangedAt,
            plan.lastIp,
            plan.lastAsn,
            plan.lastUserAgent,
            lastIpKey,
            lastIpKey ? networkKey(lastIpKey) : null,
            ...(plan.event
              ? [
                  plan.event.id,
                  plan.event.type,
                  plan.event.user_id,
                  plan.event.client_id,
                  plan.event.refresh_token_id,
                  plan.event.created_at,
                  JSON.stringify(plan.event),
                ]
              : [null, null, null, null, null, null, null]),
            row.current_hash,
            row.previous_hash,
            row.last_exchanged_at,
          ],
          db,
        );
        if (written?.n !== 1) return CHANGED_SINCE_READ;
        return { kind: 'exchanged', token: afterPlan(token, plan, now), user: toUserFromPrefixed(row) };
      }
    }
  }

  async findRefreshTokenBySecret(secretHash: Buffer, now: number) {
    const row = await this.connection.one(TOKEN_BY_SECRET, [secretHash]);
    if (!row) return undefined;
    const token = toRefreshToken(row);
    return {
      token,
      usable: isUsableSecret(
        {
          token,
          presented: whichSecret(secretHash, row.current_hash, row.previous_hash),
          previous_valid_until: row.previous_valid_until,
          revoked_by_job: row.covered === true,
        },
        now,
      ),
    };
  }

  async updateRefreshTokenMetadata(id: string, metadata: Record<string, string>) {
    const row = await this.connection.one('UPDATE refresh_tokens SET metadata = $1 WHERE id = $2 RETURNING *', [
      JSON.stringify(metadata),
      id,
    ]);
    return row ? toRefreshToken(row) : undefined;
  }

  async revokeRefreshTokens(ids: string[], reason: RevokeReason, now: number): Promise<string[]> {
    const rows = await this.connection.all(
      'UPDATE refresh_tokens SET revoked_at = $1, revoked_reason = $2 WHERE id = ANY($3) AND revoked_at IS NULL RETURNING id',
      [now, reason, ids],
    );
    return rows.map((r) => r.id as string);
  }
}

const ALIASED: TokenColumnsSql = {
  seq: 't.seq',
  id: 't.id',
  user_id: 't.user_id',
  client_id: 't.client_id',
  audience: 't.audience',
  grant_id: 't.grant_id',
  session_id: 't.session_id',
  device_name: 't.device_name',
};

/** Optimistic rotations before the row lock: each lost race means another write succeeded. */
const OPTIMISTIC_ATTEMPTS = 3;
/** Rotations under the row lock after those, each lost only to a revocation or a block meanwhile. */
const LOCKED_ATTEMPTS = 3;
/** A rotation's write found the row changed since its read: decide again. */
const CHANGED_SINCE_READ = Symbol('changed since read');

/** The columns `toRefreshToken` reads, and the secrets the rotation decides by: named, as a prepared statement must. */
const TOKEN_COLUMNS = [
  'id',
  'seq',
  'user_id',
  'client_id',
  'grant_id',
  'session_id',
  'device_name',
  'audience',
  'scope',
  'resource_servers',
  'rotating',
  'leeway',
  'idle_lifetime',
  'created_at',
  'expires_at',
  'idle_expires_at',
  'last_exchanged_at',
  'initial_ip',
  'initial_asn',
  'initial_user_agent',
  'last_ip',
  'last_asn',
  'last_user_agent',
  'metadata',
  'revoked_at',
  'revoked_reason',
  'dpop_jkt',
  'current_hash',
  'previous_hash',
  'previous_valid_until',
]
  .map((column) => `t.${column}`)
  .join(', ');

/**
 * The rotation's write: the row's update, the new secret and the exchange's log entry in one
 * statement, one round trip. It applies only if everything the plan was made on still holds:
 * the row's secrets and last exchange (which decides the hour's log entry), not revoked, not
 * covered by a journaled revocation, its user present and not blocked; the last two are not on
 * the row, so not even the row lock kept them from changing between the read and the write.
 * The inserts take the updated row from `updated`, so a write that does not apply inserts
 * nothing.
 */
const ROTATION_WRITE = prepared(
  'rotation_write',
  `WITH updated AS (
  UPDATE refresh_tokens SET
    current_hash = COALESCE($2, current_hash),
    previous_hash = CASE WHEN $3 THEN current_hash ELSE previous_hash END,
    previous_valid_until = CASE WHEN $3 THEN $4::bigint ELSE previous_valid_until END,
    idle_expires_at = $5, last_exchanged_at = $6,
    last_ip = $7, last_asn = $8, last_user_agent = $9, last_ip_key = $10, last_net_key = $11
  WHERE id = $1 AND revoked_at IS NULL AND current_hash = $19 AND previous_hash IS NOT DISTINCT FROM $20
    AND last_exchanged_at IS NOT DISTINCT FROM $21
    AND NOT ${coveredByPendingRevocation(tableColumns('seq'))}
    AND EXISTS (SELECT 1 FROM users u WHERE u.user_id = refresh_tokens.user_id
      AND NOT COALESCE((u.json::json->>'blocked')::boolean, false))
  RETURNING id),
  secret AS (INSERT INTO refresh_token_secrets (hash, token_id) SELECT $2::bytea, id FROM updated WHERE $2::bytea IS NOT NULL),
  logged AS (INSERT INTO events (id, type, user_id, client_id, refresh_token_id, created_at, json)
    SELECT $12::text, $13::text, $14::text, $15::text, $16::text, $17::bigint, $18::text FROM updated WHERE $12::text IS NOT NULL)
  SELECT count(*)::int AS n FROM updated`,
);

/** Reuse detected: the token's family revoked, if no one revoked it first. */
const REVOKE_FAMILY = prepared(
  'revoke_family',
  'UPDATE refresh_tokens SET revoked_at = $1, revoked_reason = $2 WHERE id = $3 AND revoked_at IS NULL RETURNING id',
);

/** The rotation's read: the token by a secret, its user's columns (prefixed `u_`), the user's state and the journal's verdict. */
const rotationRead = (lock: string) => `SELECT ${TOKEN_COLUMNS},
    u.json AS u_json, u.user_id AS u_user_id, u.email AS u_email, u.name AS u_name, u.created_at AS u_created_at,
    u.last_login AS u_last_login, u.password_hash AS u_password_hash,
    CASE WHEN u.user_id IS NULL THEN 'missing' WHEN (u.json::json->>'blocked')::boolean THEN 'blocked' ELSE 'active' END AS user_state,
    ${coveredByPendingRevocation(ALIASED)} AS covered
  FROM refresh_token_secrets s JOIN refresh_tokens t ON t.id = s.token_id LEFT JOIN users u ON u.user_id = t.user_id
  WHERE s.hash = $1${lock}`;
const ROTATION_READ = prepared('rotation_read', rotationRead(''));
/** The same, locking the token's row until the transaction ends. */
const ROTATION_READ_LOCKED = prepared('rotation_read_locked', rotationRead(' FOR UPDATE OF t'));

/** A token by a secret, with the journal's verdict, for `/oauth/revoke` and the Management API's lookups. */
const TOKEN_BY_SECRET = prepared(
  'token_by_secret',
  `SELECT ${TOKEN_COLUMNS}, ${coveredByPendingRevocation(ALIASED)} AS covered
  FROM refresh_token_secrets s JOIN refresh_tokens t ON t.id = s.token_id WHERE s.hash = $1`,
);
