import type { Role } from '@rtc/contracts';
import { createHash } from 'node:crypto';
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
  createdAt: number;
  lastSeenAt: number;
}

/**
 * Seals and opens JWE cookies (dir + A256GCM) with a key derived from SESSION_SECRET.
 * Opening checks the absolute and the idle timeout.
 */
export class SessionCookie {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    private readonly limits: { idleSeconds: number; absoluteSeconds: number },
    private readonly now: () => number = Date.now,
  ) {
    this.key = createHash('sha256').update(`rtc-session:${secret}`).digest();
  }

  get idleSeconds(): number {
    return this.limits.idleSeconds;
  }

  /** When no copy of this session's cookie can be valid any more, whatever its idle time. */
  absoluteExpiresAt(session: StaffSession): number {
    return session.createdAt + this.limits.absoluteSeconds * 1000;
  }

  expiresAt(session: StaffSession): number {
    return Math.min(session.createdAt + this.limits.absoluteSeconds * 1000, session.lastSeenAt + this.limits.idleSeconds * 1000);
  }

  seal(session: StaffSession): Promise<string> {
    return this.sealValue({ s: session }, Math.floor((session.createdAt + this.limits.absoluteSeconds * 1000) / 1000));
  }

  async open(value: string | undefined): Promise<StaffSession | undefined> {
    const payload = await this.openValue(value);
    const session = payload?.s as StaffSession | undefined;
    if (!session) return undefined;
    const now = this.now();
    if (now >= session.createdAt + this.limits.absoluteSeconds * 1000) return undefined;
    if (now >= session.lastSeenAt + this.limits.idleSeconds * 1000) return undefined;
    return session;
  }

  /** Any short-lived value (the sign-in transaction), sealed the same way. */
  sealValue(value: Record<string, unknown>, expiresAtSeconds: number): Promise<string> {
    return new EncryptJWT(value)
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .setIssuedAt(Math.floor(this.now() / 1000))
      .setExpirationTime(expiresAtSeconds)
      .encrypt(this.key);
  }

  async openValue(value: string | undefined): Promise<Record<string, unknown> | undefined> {
    if (!value || value.length > 8192) return undefined;
    try {
      const { payload } = await jwtDecrypt(value, this.key, { currentDate: new Date(this.now()) });
      return payload;
    } catch {
      return undefined;
    }
  }
}
