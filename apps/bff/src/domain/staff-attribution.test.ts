import type { AuditEntry } from '@rtc/contracts';
import { describe, expect, it } from 'vitest';
import { attributeToStaff } from './staff-attribution.ts';

const T = Date.parse('2026-12-07T10:00:00Z');
const at = (ms: number) => new Date(T + ms).toISOString();

function audit(id: string, over: Partial<AuditEntry> & { by?: string }): AuditEntry {
  const by = over.by ?? 'sam';
  return {
    id,
    at: at(5_000),
    actor: { sub: `auth0|${by}`, name: by === 'sam' ? 'Sam Support' : 'Ada Admin', role: 'support' },
    action: 'device.unlink',
    kind: 'change',
    target_user_id: 'auth0|jane',
    target: 'Jane (auth0|jane)',
    result: 'success',
    detail: 'device "Phone"; refresh token ids: rt_phone1 (Acme Mobile, device "Phone")',
    request_id: `req-${id}`,
    ...over,
  };
}

describe('attributeToStaff', () => {
  it('names the staff member whose audit entry names the id', () => {
    const staff = attributeToStaff([audit('a1', {})], { ids: ['rt_phone1'], at: at(0), userId: 'auth0|jane' });
    expect(staff).toMatchObject({ audit_id: 'a1', name: 'Sam Support', action: 'device.unlink' });
  });

  it('matches whole ids only: an id that is part of a named one is not named', () => {
    expect(attributeToStaff([audit('a1', {})], { ids: ['rt_phone'], at: at(0), userId: 'auth0|jane' })).toBeNull();
  });

  it("says unknown, not the nearest name, for a revocation no console action names (another tool's, minutes apart or not)", () => {
    const record = { ids: ['rt_tablet9'], at: at(0), reason: 'management_api', userId: 'auth0|jane' };
    expect(attributeToStaff([audit('a1', {})], record)).toBeNull();
  });

  it("takes a user's every-token revocation from the one person who signed the user out everywhere near it", () => {
    const signOut = audit('a2', { action: 'user.sign_out_everywhere', detail: 'revoked 12 refresh tokens' });
    const record = { ids: ['rt_x'], at: at(0), reason: 'user_tokens_revoked', userId: 'auth0|jane' };
    expect(attributeToStaff([signOut], record)).toMatchObject({ audit_id: 'a2' });
    // Too far from it: not its doing.
    expect(attributeToStaff([signOut], { ...record, at: at(10 * 60_000) })).toBeNull();
    // Another user's: not this one's.
    expect(attributeToStaff([signOut], { ...record, userId: 'auth0|john' })).toBeNull();
    // Two people did it within the window: which one revoked this token is not known.
    const other = audit('a3', { action: 'user.sign_out_everywhere', by: 'ada', at: at(-30_000), detail: '' });
    expect(attributeToStaff([signOut, other], record)).toBeNull();
  });

  it("takes an application's every-token revocation from the leaked-secret flow or the revoke-all on that application", () => {
    const leaked = audit('a4', {
      action: 'application.leaked_secret',
      target_user_id: null,
      target: 'Acme Web (app_web)',
      detail: 'revoked 40 refresh tokens; secret rotated',
    });
    const record = { ids: ['rt_y'], at: at(0), reason: 'client_tokens_revoked', userId: 'auth0|jane' };
    expect(attributeToStaff([leaked], { ...record, clientId: 'app_web' })).toMatchObject({ audit_id: 'a4' });
    expect(attributeToStaff([leaked], { ...record, clientId: 'app_mobile' })).toBeNull();
  });
});
