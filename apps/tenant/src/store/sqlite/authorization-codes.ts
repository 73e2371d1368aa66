import type { AuthorizationCodeRecord } from '../../domain/model.ts';
import type { AuthorizationCodeStore } from '../contract/authorization-codes.ts';
import type { Row } from '../sql/rows.ts';
import type { SqliteConnection } from './connection.ts';

/** Authorization codes: each redeemed once, in a transaction that tells a second presentation apart. */
export class SqliteAuthorizationCodes implements AuthorizationCodeStore {
  constructor(private readonly connection: SqliteConnection) {}

  async saveAuthorizationCode(codeHash: Buffer, code: AuthorizationCodeRecord): Promise<void> {
    this.connection
      .q('INSERT INTO authorization_codes (code_hash, json, expires_at) VALUES (?, ?, ?)')
      .run(codeHash, JSON.stringify(code), code.expires_at);
  }

  async findAuthorizationCode(codeHash: Buffer): Promise<AuthorizationCodeRecord | undefined> {
    const row = this.connection.q('SELECT json FROM authorization_codes WHERE code_hash = ?').get(codeHash) as
      | Row
      | undefined;
    return row ? (JSON.parse(row.json as string) as AuthorizationCodeRecord) : undefined;
  }

  async consumeAuthorizationCode(codeHash: Buffer, now: number) {
    return this.connection.tx(() => {
      const row = this.connection
        .q('SELECT json, consumed_at FROM authorization_codes WHERE code_hash = ?')
        .get(codeHash) as Row | undefined;
      if (!row) return undefined;
      const code = JSON.parse(row.json) as AuthorizationCodeRecord;
      if (row.consumed_at !== null) {
        this.connection
          .q("UPDATE authorization_codes SET json = json_set(json, '$.reused', json('true')) WHERE code_hash = ?")
          .run(codeHash);
        return { code, reused: true };
      }
      this.connection.q('UPDATE authorization_codes SET consumed_at = ? WHERE code_hash = ?').run(now, codeHash);
      // Expired, never-used codes are swept here rather than by a timer.
      this.connection
        .q('DELETE FROM authorization_codes WHERE expires_at < ? AND consumed_at IS NULL')
        .run(now - 3_600_000);
      return { code, reused: false };
    });
  }

  async attachRefreshTokenToCode(codeHash: Buffer, refreshTokenId: string): Promise<{ reusedMeanwhile: boolean }> {
    return this.connection.tx(() => {
      this.connection
        .q("UPDATE authorization_codes SET json = json_set(json, '$.refresh_token_id', ?) WHERE code_hash = ?")
        .run(refreshTokenId, codeHash);
      const row = this.connection.q('SELECT json FROM authorization_codes WHERE code_hash = ?').get(codeHash) as
        | Row
        | undefined;
      return { reusedMeanwhile: !!row && (JSON.parse(row.json as string) as AuthorizationCodeRecord).reused === true };
    });
  }
}
