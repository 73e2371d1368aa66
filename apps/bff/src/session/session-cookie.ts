import type { Role } from '@rtc/contracts';
import { hkdfSync } from 'node:crypto';
import { EncryptJWT, jwtDecrypt } from 'jose';

/** A signed-in staff member, carried in an encrypted cookie so any BFF instance can serve it. */
export interface StaffSession {
  /** Unique per sign-in; sign-out puts it on the ended list. */
  sid: string;
  sub: string;
  name: string;
  email: string | null;
  role: Role;
  /** The per-session CSRF token the dashboard sends back in `x-csrf-token`. */
  csrf: string;
  /** The staff member's ID token, kept for RP-initiated logout at the tenant. */
  idToken?: string;
  /** The identity provider's refresh token, to re-check the role (sealed: the browser never reads it). */
  refreshToken?: string;
  /** When the role was last confirmed by the identity provider. */
  roleCheckedAt?: number;
  /** When the person last authenticated at the identity provider (its ID token's auth_time, ms); the biggest actions need it recent. */
  authTime?: number;
  createdAt: number;
  lastSeenAt: number;
}

/** One key per purpose from SESSION_SECRET (HKDF-SHA256, RFC 5869): a value sealed for one never opens as another. */
const deriveKey = (secret: string, purpose: string) =>
  new Uint8Array(hkdfSync('sha256', secret, 'refresh-token-console', purpose, 32));

/**
 * Seals and opens JWE cookies (dir + A256GCM): the session with one key derived from
 * SESSION_SECRET, short-lived values (the sign-in transaction) with another. Opening a
 * session checks the absolute and the idle timeout.
 */
export class SessionCookie {
  private readonly sessionKey: Uint8Array;
  private readonly transactionKey: Uint8Array;

  constructor(
    secret: string,
    private readonly limits: { idleSeconds: number; absoluteSeconds: number },
    private readonly now: () => number = Date.now,
  ) {
    this.sessionKey = deriveKey(secret, 'session cookie');
    this.transactionKey = deriveKey(secret, 'sign-in transaction');
  }

  get idleSeconds(): number {
    return this.limits.idleSeconds;
  }

  /** When no copy of this session's cookie can be valid any more, whatever its idle time. */
  absoluteExpiresAt(session: StaffSession): number {
    return session.createdAt + this.limits.absoluteSeconds * 1000;
  }

  expiresAt(session: StaffSession): number {
    return Math.min(
      session.createdAt + this.limits.absoluteSeconds * 1000,
      session.lastSeenAt + this.limits.idleSeconds * 1000,
    );
  }

  seal(session: StaffSession): Promise<string> {
    return this.sealWith(
      this.sessionKey,
      { s: session },
      Math.floor((session.createdAt + this.limits.absoluteSeconds * 1000) / 1000),
    );
  }

  async open(value: string | undefined): Promise<StaffSession | undefined> {
    const payload = await this.openWith(this.sessionKey, value);
    const session = payload?.s as StaffSession | undefined;
    if (!session) return undefined;
    const now = this.now();
    if (now >= session.createdAt + this.limits.absoluteSeconds * 1000) return undefined;
    if (now >= session.lastSeenAt + this.limits.idleSeconds * 1000) return undefined;
    return session;
  }

  /** Any short-lived value (the sign-in transaction), sealed with its own key. */
  sealValue(value: Record<string, unknown>, expiresAtSeconds: number): Promise<string> {
    return this.sealWith(this.transactionKey, value, expiresAtSeconds);
  }

  openValue(value: string | undefined): Promise<Record<string, unknown> | undefined> {
    return this.openWith(this.transactionKey, value);
  }

  private sealWith(key: Uint8Array, value: Record<string, unknown>, expiresAtSeconds: number): Promise<string> {
    return new EncryptJWT(value)
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .setIssuedAt(Math.floor(this.now() / 1000))
      .setExpirationTime(expiresAtSeconds)
      .encrypt(key);
  }

  private async openWith(key: Uint8Array, value: string | undefined): Promise<Record<string, unknown> | undefined> {
    if (!value || value.length > 8192) return undefined;
    try {
      const { payload } = await jwtDecrypt(value, key, { currentDate: new Date(this.now()) });
      return payload;
    } catch {
      return undefined;
    }
  }
}
