import type { AuthorizationCodeRecord } from '../../domain/model.ts';

/** Authorization codes: each redeemed once; a second presentation is reuse. */
export interface AuthorizationCodeStore {
  saveAuthorizationCode(codeHash: Buffer, code: AuthorizationCodeRecord): Promise<void>;
  /** The code, redeemed or not, without changing it: a redemption checks it before consuming it. */
  findAuthorizationCode(codeHash: Buffer): Promise<AuthorizationCodeRecord | undefined>;
  /** Returns the code once; a second call for the same code returns `reused` and marks the code so. */
  consumeAuthorizationCode(
    codeHash: Buffer,
    now: number,
  ): Promise<{ code: AuthorizationCodeRecord; reused: boolean } | undefined>;
  /** Records the refresh token a code's redemption issued; says whether the code was presented again meanwhile. */
  attachRefreshTokenToCode(codeHash: Buffer, refreshTokenId: string): Promise<{ reusedMeanwhile: boolean }>;
}
