import type { NewRefreshToken, RotationOutcome, RotationPlanner } from '../../domain/model.ts';
import type { RefreshTokenStore } from '../contract/refresh-tokens.ts';
import type { RevokeReason } from '../../domain/revocation.ts';
import { checkDeviceName } from '../../domain/defaults.ts';
import { afterPlan, rejectedOutcome, isUsableSecret, whichSecret } from '../../domain/refresh-tokens.ts';
import { addressKey } from '@rtc/ip-intel';
import { toUserFromPrefixed, toRefreshToken, type Row } from '../sql/rows.ts';
import { coveredByPendingRevocation, type TokenColumnsSql } from '../sql/pending-revocation.ts';
import { networkKeyOf } from './connection.ts';
import { insertEvent } from './events.ts';
import { liveAt, SqliteRefreshTokenReads } from './refresh-token-reads.ts';
import { type GroupRequest, TurnGroups } from './turn-groups.ts';

/**
 * Refresh tokens: issued, rotated (asking the journal whether a pending bulk revocation covers
 * the token, in the rotation's transaction), and revoked by id in group commits; its reads
 * (listings, search, counts) are in refresh-token-reads.ts.
 */
export class SqliteRefreshTokens extends SqliteRefreshTokenReads implements RefreshTokenStore {
  /** Rotations, committed in groups (commitRotations). */
  private readonly rotations = new TurnGroups<PendingRotation, RotationOutcome>((group) => this.commitRotations(group));
  /** Revocations by id, committed in groups (commitRevocations). */
  private readonly revocations = new TurnGroups<PendingRevocation, string[]>((group) => this.commitRevocations(group));

  async issueRefreshToken(token: NewRefreshToken, activeLimit: number): Promise<{ revokedForLimit: string[] }> {
    return this.connection.tx(() => {
      this.insertToken(token);
      // Auth0's entity limit: beyond `activeLimit` live tokens per user and application, the oldest go.
      // Live as every listing counts it: a token a journaled revocation covers no longer counts.
      const excess = this.connection
        .q(
          `SELECT id FROM refresh_tokens WHERE user_id = @user_id AND client_id = @client_id AND ${liveAt('@now')}
         ORDER BY created_at DESC, rowid DESC LIMIT -1 OFFSET @limit`,
        )
        .all({
          user_id: token.user_id,
          client_id: token.client_id,
          now: token.created_at,
          limit: activeLimit,
        }) as Row[];
      const ids = excess.map((r) => r.id as string);
      for (const id of ids) {
        this.connection
          .q('UPDATE refresh_tokens SET revoked_at = ?, revoked_reason = ? WHERE id = ?')
          .run(token.created_at, 'entity_limit', id);
      }
      return { revokedForLimit: ids };
    });
  }

  /** Inserts the token and its secret, inside the caller's transaction (issuing one, or the bulk load's). */
  insertToken(token: NewRefreshToken): void {
    checkDeviceName(token.device_name);
    const ipKey = addressKey(token.device.initial_ip);
    this.connection
      .q(
        `INSERT INTO refresh_tokens (id, user_id, client_id, grant_id, session_id, device_name, audience, scope, resource_servers,
         rotating, leeway, idle_lifetime, created_at, expires_at, idle_expires_at, initial_ip, initial_asn, initial_user_agent,
         last_ip, last_asn, last_user_agent, metadata, current_hash, initial_ip_key, last_ip_key, initial_net_key, last_net_key, dpop_jkt)
       VALUES (@id, @user_id, @client_id, @grant_id, @session_id, @device_name, @audience, @scope, @resource_servers,
         @rotating, @leeway, @idle_lifetime, @created_at, @expires_at, @idle_expires_at, @initial_ip, @initial_asn, @initial_user_agent,
         @initial_ip, @initial_asn, @initial_user_agent, @metadata, @hash, @ip_key, @ip_key, @net_key, @net_key, @dpop_jkt)`,
      )
      .run({
        id: token.id,
        user_id: token.user_id,
        client_id: token.client_id,
        grant_id: token.grant_id,
        session_id: token.session_id,
        device_name: token.device_name,
        audience: token.audience,
        scope: token.scope.join(' '),
        resource_servers: JSON.stringify(token.resource_servers),
        rotating: token.rotating ? 1 : 0,
        leeway: token.leeway,
        idle_lifetime: token.idle_lifetime,
        created_at: token.created_at,
        expires_at: token.expires_at,
        idle_expires_at: token.idle_expires_at,
        initial_ip: token.device.initial_ip,
        initial_asn: token.device.initial_asn,
        initial_user_agent: token.device.initial_user_agent,
        metadata: JSON.stringify(token.metadata ?? {}),
        hash: token.secretHash,
        ip_key: ipKey,
        net_key: networkKeyOf(ipKey),
        dpop_jkt: token.dpop_jkt ?? null,
      });
    this.connection
      .q('INSERT INTO refresh_token_secrets (hash, token_id) VALUES (?, ?)')
      .run(token.secretHash, token.id);
  }

  /**
   * Rotations asked for in the same turn of the event loop share one transaction and one commit
   * to the WAL: each commit writes every page its rotations touched, with a write(2) for each
   * frame's header and one for its page, and an exchange touches about sixteen (its row, its new
   * secret, its log entry and the log's indexes, the last-address indexes when it moved); pages
   * several rotations share (the log's newest, neighbouring rows) are written once a group.
   * Each rotation runs alone in a savepoint, in the order asked: one that fails is undone and
   * answered with its error, the others commit. Two presentations of one token in a group see
   * each other as two in a row do, so reuse detection is unchanged.
   */
  rotateRefreshToken(secretHash: Buffer, now: number, planner: RotationPlanner): Promise<RotationOutcome> {
    return this.rotations.ask({ secretHash, now, planner });
  }

  private commitRotations(group: GroupRequest<PendingRotation, RotationOutcome>[]): void {
    let outcomes: ({ value: RotationOutcome } | { error: unknown })[];
    try {
      // An error that ends the whole transaction fails the whole group (savepoint() rethrows it).
      outcomes = this.connection.walOnlyTx(() =>
        group.map(({ item: { secretHash, now, planner } }) =>
          this.connection.savepoint(() => this.rotate(secretHash, now, planner)),
        ),
      );
    } catch (err) {
      for (const request of group) request.fail(err);
      return;
    }
    for (const [i, request] of group.entries()) {
      const result = outcomes[i]!;
      if ('value' in result) request.done(result.value);
      else request.fail(result.error);
    }
  }

  /** One rotation, inside the group's transaction. */
  private rotate(secretHash: Buffer, now: number, planner: RotationPlanner): RotationOutcome {
    // One statement reads the token by its secret, its user and whether a journaled revocation
    // covers it: the exchange is the hot path, and every statement costs.
    const row = this.connection.q(ROTATION_READ).get(secretHash) as Row | undefined;
    if (!row) return { kind: 'unknown' };
    const token = toRefreshToken(row);
    const plan = planner({
      token,
      presented: whichSecret(secretHash, row.current_hash, row.previous_hash),
      previous_valid_until: row.previous_valid_until,
      revoked_by_job: row.covered === 1,
      user: row.user_state,
    });
    switch (plan.kind) {
      case 'reject':
        return rejectedOutcome(token, plan);
      case 'revoke-family':
        this.connection
          .q('UPDATE refresh_tokens SET revoked_at = ?, revoked_reason = ? WHERE id = ? AND revoked_at IS NULL')
          .run(now, plan.reason, token.id);
        return { kind: 'reuse-detected', token: afterPlan(token, plan, now) };
      case 'exchange': {
        if (plan.newSecretHash) {
          this.connection
            .q('INSERT INTO refresh_token_secrets (hash, token_id) VALUES (?, ?)')
            .run(plan.newSecretHash, token.id);
        }
        const rotatedFromCurrent = plan.newSecretHash !== null && !plan.replacesCurrent;
        // The address columns are written only when they change: they are in the search
        // indexes (migration 8), and a client refreshing from where it was touches none.
        const moved =
          plan.lastIp !== token.device.last_ip ||
          plan.lastAsn !== token.device.last_asn ||
          plan.lastUserAgent !== token.device.last_user_agent;
        const lastIpKey = moved ? addressKey(plan.lastIp) : null;
        this.connection
          .q(
            `UPDATE refresh_tokens SET
             current_hash = COALESCE(@new_hash, current_hash),
             previous_hash = CASE WHEN @rotated THEN current_hash ELSE previous_hash END,
             previous_valid_until = CASE WHEN @rotated THEN @previous_valid_until ELSE previous_valid_until END,
             idle_expires_at = @idle_expires_at, last_exchanged_at = @last_exchanged_at${
               moved
                 ? `,
             last_ip = @last_ip, last_asn = @last_asn, last_user_agent = @last_user_agent,
             last_ip_key = @last_ip_key, last_net_key = @last_net_key`
                 : ''
             }
           WHERE id = @id`,
          )
          .run({
            id: token.id,
            new_hash: plan.newSecretHash,
            rotated: rotatedFromCurrent ? 1 : 0,
            previous_valid_until: plan.previousValidUntil,
            idle_expires_at: plan.idleExpiresAt,
            last_exchanged_at: plan.lastExchangedAt,
            ...(moved
              ? {
                  last_ip: plan.lastIp,
                  last_asn: plan.lastAsn,
                  last_user_agent: plan.lastUserAgent,
                  last_ip_key: lastIpKey,
                  last_net_key: networkKeyOf(lastIpKey),
                }
              : {}),
          });
        if (plan.event) insertEvent(this.connection, plan.event);
        return { kind: 'exchanged', token: afterPlan(token, plan, now), user: toUserFromPrefixed(row) };
      }
    }
  }

  async findRefreshTokenBySecret(secretHash: Buffer, now: number) {
    // One statement, the journal's verdict with it; no user (`/oauth/revoke` needs none).
    const row = this.connection.q(SECRET_READ).get(secretHash) as Row | undefined;
    if (!row) return undefined;
    const token = toRefreshToken(row);
    const revoked_by_job = row.covered === 1;
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
    return this.connection.tx(() => {
      const changes = this.connection
        .q('UPDATE refresh_tokens SET metadata = ? WHERE id = ?')
        .run(JSON.stringify(metadata), id).changes;
      if (!changes) return undefined;
      return toRefreshToken(this.connection.q('SELECT * FROM refresh_tokens WHERE id = ?').get(id) as Row);
    });
  }

  /**
   * Group commit: revocations asked for in the same turn of the event loop are applied in
   * one transaction with one fsync, and each caller is answered only after it. Under load
   * (50 connections revoking) that turns 50 fsyncs into one; alone, it costs nothing but
   * the wait for the next `setImmediate`.
   */
  revokeRefreshTokens(ids: string[], reason: RevokeReason, now: number): Promise<string[]> {
    return this.revocations.ask({ ids, reason, now });
  }

  private commitRevocations(group: GroupRequest<PendingRevocation, string[]>[]): void {
    let results: string[][];
    try {
      results = this.connection.tx(() => {
        const update = this.connection.q(
          'UPDATE refresh_tokens SET revoked_at = ?, revoked_reason = ? WHERE id = ? AND revoked_at IS NULL',
        );
        return group.map(({ item: { ids, reason, now } }) =>
          ids.filter((id) => update.run(now, reason, id).changes > 0),
        );
      });
    } catch (err) {
      for (const request of group) request.fail(err);
      return;
    }
    for (const [i, request] of group.entries()) request.done(results[i]!);
  }
}

/** A rotation waiting for its group's commit. */
interface PendingRotation {
  secretHash: Buffer;
  now: number;
  planner: RotationPlanner;
}

/** Revocations by id waiting for their group's commit. */
interface PendingRevocation {
  ids: string[];
  reason: RevokeReason;
  now: number;
}

const ALIASED: TokenColumnsSql = {
  seq: 't.rowid',
  id: 't.id',
  user_id: 't.user_id',
  client_id: 't.client_id',
  audience: 't.audience',
  grant_id: 't.grant_id',
  session_id: 't.session_id',
  device_name: 't.device_name',
};

/** The rotation's read: the token by a secret, its user's columns (prefixed `u_`), the user's state and the journal's verdict. */
const ROTATION_READ = `SELECT t.rowid AS seq, t.*,
    u.json AS u_json, u.user_id AS u_user_id, u.email AS u_email, u.name AS u_name, u.created_at AS u_created_at,
    u.last_login AS u_last_login, u.password_hash AS u_password_hash,
    CASE WHEN u.user_id IS NULL THEN 'missing' WHEN json_extract(u.json, '$.blocked') THEN 'blocked' ELSE 'active' END AS user_state,
    ${coveredByPendingRevocation(ALIASED)} AS covered
  FROM refresh_token_secrets s JOIN refresh_tokens t ON t.id = s.token_id LEFT JOIN users u ON u.user_id = t.user_id
  WHERE s.hash = ?`;

/**
 * A token by one of its secrets and the journal's verdict: the rotation's read without the
 * user's row and JSON, which a lookup (`/oauth/revoke`, delegation) reads for nothing.
 */
const SECRET_READ = `SELECT t.rowid AS seq, t.*, ${coveredByPendingRevocation(ALIASED)} AS covered
  FROM refresh_token_secrets s JOIN refresh_tokens t ON t.id = s.token_id
  WHERE s.hash = ?`;
