import type { AuthorizationCodeRecord } from '../../domain/model.ts';
import type { AuthorizationCodeStore } from '../contract/authorization-codes.ts';
import type { PostgresConnection } from './connection.ts';

/** Authorization codes, with no transaction: each decision is one UPDATE, atomic whichever instance makes it. */
export class PostgresAuthorizationCodes implements AuthorizationCodeStore {
  constructor(private readonly connection: PostgresConnection) {}

  async saveAuthorizationCode(codeHash: Buffer, code: AuthorizationCodeRecord): Promise<void> {
    await this.connection.pool.query(
      'INSERT INTO authorization_codes (code_hash, json, expires_at) VALUES ($1, $2, $3)',
      [codeHash, JSON.stringify(code), code.expires_at],
    );
  }

  async findAuthorizationCode(codeHash: Buffer): Promise<AuthorizationCodeRecord | undefined> {
    const row = await this.connection.one('SELECT json FROM authorization_codes WHERE code_hash = $1', [codeHash]);
    return row ? (JSON.parse(row.json) as AuthorizationCodeRecord) : undefined;
  }

  async consumeAuthorizationCode(codeHash: Buffer, now: number) {
    // One UPDATE decides who consumed it, on any instance.
    const consumed = await this.connection.one(
      'UPDATE authorization_codes SET consumed_at = $2 WHERE code_hash = $1 AND consumed_at IS NULL RETURNING json',
      [codeHash, now],
    );
    if (consumed) {
      await this.connection.pool.query(
        'DELETE FROM authorization_codes WHERE expires_at < $1 AND consumed_at IS NULL',
        [now - 3_600_000],
      );
      return { code: JSON.parse(consumed.json) as AuthorizationCodeRecord, reused: false };
    }
    // Presented again: mark it in one statement, so a redemption still issuing its token sees it.
    const seen = await this.connection.one(
      `UPDATE authorization_codes SET json = (json::jsonb || '{"reused": true}'::jsonb)::text WHERE code_hash = $1 RETURNING json`,
      [codeHash],
    );
    return seen ? { code: JSON.parse(seen.json) as AuthorizationCodeRecord, reused: true } : undefined;
  }

  async attachRefreshTokenToCode(codeHash: Buffer, refreshTokenId: string): Promise<{ reusedMeanwhile: boolean }> {
    const row = await this.connection.one(
      `UPDATE authorization_codes SET json = (json::jsonb || jsonb_build_object('refresh_token_id', $2::text))::text WHERE code_hash = $1 RETURNING json`,
      [codeHash, refreshTokenId],
    );
    return { reusedMeanwhile: !!row && (JSON.parse(row.json) as AuthorizationCodeRecord).reused === true };
  }
}
