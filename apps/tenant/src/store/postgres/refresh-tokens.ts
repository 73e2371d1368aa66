import type { Queryable } from '@rtc/db/postgres';
import { addressKey, networkKey } from '@rtc/ip-intel';
import { checkDeviceName } from '../../domain/defaults.ts';
import { afterPlan, isUsableSecret, whichSecret } from '../../domain/refresh-tokens.ts';
import { toUserFromPrefixed, toRefreshToken, type Row } from '../sql/rows.ts';
import { coveredByPendingRevocation, type TokenColumnsSql } from '../sql/pending-revocation.ts';
import type { NewRefreshToken, RotationOutcome, RotationPlanner } from '../../domain/model.ts';
import type { RefreshTokenStore } from '../contract/refresh-tokens.ts';
import type { RevokeReason } from '../../domain/revocation.ts';
import { LIVE, PostgresRefreshTokenReads } from './refresh-token-reads.ts';

/**
 * Refresh tokens. Rotation locks the token's row (SELECT ... FOR UPDATE), so concurrent
 * exchanges on any instances have one winner; it reads the user's state and the journal's
 * pending revocations in its own transaction, from their tables. Its reads (listings, search,
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

  async rotateRefreshToken(secretHash: Buffer, now: number, planner: RotationPlanner): Promise<RotationOutcome> {
    return this.connection.tx(async (db): Promise<RotationOutcome> => {
      // One statement reads the token by its secret, locks its row (which serialises every
      // exchange of this token, on every instance), and brings its user and the journal's verdict.
      const row = await this.connection.one(ROTATION_READ, [secretHash], db);
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
          return {
            kind: 'rejected',
            token,
            ...(plan.notGranted ? { notGranted: plan.notGranted } : {}),
            ...(plan.dpop ? { dpop: plan.dpop } : {}),
          };
        case 'revoke-family':
          await db.query(
            'UPDATE refresh_tokens SET revoked_at = $1, revoked_reason = $2 WHERE id = $3 AND revoked_at IS NULL',
            [now, plan.reason, token.id],
          );
          return { kind: 'reuse-detected', token: afterPlan(token, plan, now) };
        case 'exchange': {
          const rotated = plan.newSecretHash !== null && !plan.replacesCurrent;
          const lastIpKey = addressKey(plan.lastIp);
          await db.query(
            // The new secret, the row's update and the exchange's log entry in one statement: one round trip.
            `WITH secret AS (INSERT INTO refresh_token_secrets (hash, token_id) SELECT $2::bytea, $1::text WHERE $2::bytea IS NOT NULL),
             logged AS (INSERT INTO events (id, type, user_id, client_id, refresh_token_id, created_at, json)
               SELECT $12::text, $13::text, $14::text, $15::text, $16::text, $17::bigint, $18::text WHERE $12::text IS NOT NULL)
             UPDATE refresh_tokens SET
               current_hash = COALESCE($2, current_hash),
               previous_hash = CASE WHEN $3 THEN current_hash ELSE previous_hash END,
               previous_valid_until = CASE WHEN $3 THEN $4::bigint ELSE previous_valid_until END,
               idle_expires_at = $5, last_exchanged_at = $6, last_ip = $7, last_asn = $8, last_user_agent = $9, last_ip_key = $10, last_net_key = $11
             WHERE id = $1`,
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
            ],
          );
          return { kind: 'exchanged', token: afterPlan(token, plan, now), user: toUserFromPrefixed(row) };
        }
      }
    });
  }

  async findRefreshTokenBySecret(secretHash: Buffer, now: number) {
    const row = await this.connection.one(
      'SELECT t.* FROM refresh_token_secrets s JOIN refresh_tokens t ON t.id = s.token_id WHERE s.hash = $1',
      [secretHash],
    );
    if (!row) return undefined;
    const token = toRefreshToken(row);
    const revoked_by_job = await this.coveredByJob(this.connection.pool, row);
    return {
      token,
      usable: isUsableSecret(
        {
          token,
          presented: whichSecret(secretHash, row.current_hash, row.previous_hash),
          previous_valid_until: row.previous_valid_until,
          revoked_by_job,
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

  /** Is this token covered by a journaled bulk revocation not yet applied to its row? Read in the caller's transaction when `db` is its client. */
  private async coveredByJob(db: Queryable, row: Row): Promise<boolean> {
    const columns = {
      seq: '$1::bigint',
      id: '$2::text',
      user_id: '$3::text',
      client_id: '$4::text',
      audience: '$5::text',
      grant_id: '$6::text',
      session_id: '$7::text',
      device_name: '$8::text',
    };
    const found = await this.connection.one(
      `SELECT ${coveredByPendingRevocation(columns)} AS covered`,
      [row.seq, row.id, row.user_id, row.client_id, row.audience, row.grant_id, row.session_id, row.device_name],
      db,
    );
    return found?.covered === true;
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

/** The rotation's read: the token by a secret, locked, its user's columns (prefixed `u_`), the user's state and the journal's verdict. */
const ROTATION_READ = `SELECT t.*,
    u.json AS u_json, u.user_id AS u_user_id, u.email AS u_email, u.name AS u_name, u.created_at AS u_created_at,
    u.last_login AS u_last_login, u.password_hash AS u_password_hash,
    CASE WHEN u.user_id IS NULL THEN 'missing' WHEN (u.json::json->>'blocked')::boolean THEN 'blocked' ELSE 'active' END AS user_state,
    ${coveredByPendingRevocation(ALIASED)} AS covered
  FROM refresh_token_secrets s JOIN refresh_tokens t ON t.id = s.token_id LEFT JOIN users u ON u.user_id = t.user_id
  WHERE s.hash = $1 FOR UPDATE OF t`;
