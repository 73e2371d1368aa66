import { expect, it } from 'vitest';
import { randomSecret, sha256 } from '../../crypto/secrets.ts';
import { planRevocation } from '../../domain/revocation-plan.ts';
import { newSession } from '../../domain/sso-session.ts';
import { LOG_TYPES, tenantEvent } from '../../domain/tenant-log.ts';
import type { TenantStore } from '../types.ts';
import { describeContract, T0, mint } from './contract-harness.ts';

const flag = (on: boolean) => ({ flags: { revoke_refresh_token_grant: on } });

/** A user's grant with two tokens under it, on two devices. */
async function grantWithTwoTokens(store: TenantStore, user_id: string) {
  const grant = await store.directory.upsertGrant(
    { user_id, client_id: 'app', audience: 'https://api/', scope: ['offline_access'] },
    `gr_${user_id}`,
    T0,
  );
  const phone = mint(user_id, T0, { grant_id: grant.id, device_name: 'phone' });
  const laptop = mint(user_id, T0, { grant_id: grant.id, device_name: 'laptop' });
  for (const t of [phone, laptop]) await store.refreshTokens.issueRefreshToken(t.record, 200);
  return { grant, phone, laptop };
}
const usable = async (store: TenantStore, value: string) =>
  (await store.refreshTokens.findRefreshTokenBySecret(sha256(value), T0 + 1))!.usable;

/** The contract of applying a revocation plan (RevocationStore, ./revocations.ts), on every store (see ./contract-harness.ts). */
describeContract(({ withStore }) => {
  for (const on of [true, false]) {
    it(
      `writes the log entry it is given from what was applied (flag ${on ? 'on: a transaction' : 'off: tokens alone'})`,
      withStore(async (store) => {
        const { grant, phone } = await grantWithTwoTokens(store, 'u1');
        const applied = await store.revocations.applyRevocationPlan(
          planRevocation({ kind: 'token', token: phone.record }, 'oauth_revoke', flag(on)),
          T0 + 1,
          ({ deletedGrantIds }) =>
            tenantEvent(
              {
                type: LOG_TYPES.revocation,
                description: 'Refresh token revoked',
                user_id: 'u1',
                client_id: 'app',
                refresh_token_id: phone.record.id,
                details: { grants: deletedGrantIds },
              },
              T0 + 1,
            ),
        );
        expect(applied.revokedTokenIds).toEqual([phone.record.id]);
        const [entry, ...more] = await store.events.listEvents({ user_id: 'u1', type: LOG_TYPES.revocation }, 10);
        expect(more).toEqual([]);
        expect(entry).toMatchObject({ refresh_token_id: phone.record.id, details: { grants: on ? [grant.id] : [] } });
      }),
    );
  }

  it(
    "an unlink with the flag on revokes the token and deletes its grant in one commit: the grant's other tokens are refused at once",
    withStore(async (store) => {
      const { grant, phone, laptop } = await grantWithTwoTokens(store, 'u1');
      const applied = await store.revocations.applyRevocationPlan(
        planRevocation({ kind: 'token', token: phone.record }, 'device_unlinked', flag(true)),
        T0 + 1,
      );
      expect(applied).toEqual({
        applied: true,
        revokedTokenIds: [phone.record.id],
        deletedGrantIds: [grant.id],
        endedSessionIds: [],
      });
      expect((await store.refreshTokens.getRefreshToken(phone.record.id))!.revoked_reason).toBe('device_unlinked');
      expect(await store.directory.getGrant(grant.id)).toBeUndefined();
      expect(await usable(store, laptop.value)).toBe(false);
      expect((await store.revocationJournal.listRevocationJobs()).map((j) => j.target)).toEqual([
        { kind: 'grant', grant_id: grant.id },
      ]);
    }),
  );

  it(
    'an unlink with the flag off revokes the token alone',
    withStore(async (store) => {
      const { grant, phone, laptop } = await grantWithTwoTokens(store, 'u1');
      const applied = await store.revocations.applyRevocationPlan(
        planRevocation({ kind: 'token', token: phone.record }, 'device_unlinked', flag(false)),
        T0 + 1,
      );
      expect(applied).toEqual({
        applied: true,
        revokedTokenIds: [phone.record.id],
        deletedGrantIds: [],
        endedSessionIds: [],
      });
      expect(await store.directory.getGrant(grant.id)).toBeDefined();
      expect(await usable(store, laptop.value)).toBe(true);
      expect(await store.revocationJournal.listRevocationJobs()).toEqual([]);
    }),
  );

  it(
    'an unlink of a token revoked already writes nothing: its grant stays, with the flag on',
    withStore(async (store) => {
      const { grant, phone, laptop } = await grantWithTwoTokens(store, 'u1');
      await store.refreshTokens.revokeRefreshTokens([phone.record.id], 'management_api', T0);
      const applied = await store.revocations.applyRevocationPlan(
        planRevocation({ kind: 'token', token: phone.record }, 'device_unlinked', flag(true)),
        T0 + 1,
      );
      expect(applied).toEqual({ applied: false, revokedTokenIds: [], deletedGrantIds: [], endedSessionIds: [] });
      expect(await store.directory.getGrant(grant.id)).toBeDefined();
      expect(await usable(store, laptop.value)).toBe(true);
      expect((await store.refreshTokens.getRefreshToken(phone.record.id))!.revoked_reason).toBe('management_api');
    }),
  );

  it(
    'two unlinks of one token at once: exactly one applies',
    withStore(async (store) => {
      const { phone } = await grantWithTwoTokens(store, 'u1');
      const plan = planRevocation({ kind: 'token', token: phone.record }, 'device_unlinked', flag(true));
      const results = await Promise.all([
        store.revocations.applyRevocationPlan(plan, T0 + 1),
        store.revocations.applyRevocationPlan(plan, T0 + 1),
      ]);
      expect(results.map((r) => r.applied).sort()).toEqual([false, true]);
      expect(results.flatMap((r) => r.deletedGrantIds)).toEqual(['gr_u1']);
    }),
  );

  it(
    'a device unlinked at once: every token named marked revoked; one revoked since it was read refuses the whole plan, its grant included',
    withStore(async (store) => {
      const { grant, phone, laptop } = await grantWithTwoTokens(store, 'u1');
      const second = mint('u1', T0, { grant_id: grant.id, device_name: 'phone' });
      await store.refreshTokens.issueRefreshToken(second.record, 200);
      const plan = planRevocation(
        { kind: 'device', tokens: [phone.record, second.record] },
        'device_unlinked',
        flag(true),
      );
      await store.refreshTokens.revokeRefreshTokens([second.record.id], 'oauth_revoke', T0);
      expect(await store.revocations.applyRevocationPlan(plan, T0 + 1)).toEqual({
        applied: false,
        revokedTokenIds: [],
        deletedGrantIds: [],
        endedSessionIds: [],
      });
      expect(await store.directory.getGrant(grant.id)).toBeDefined();
      expect(await usable(store, phone.value)).toBe(true);

      const fresh = planRevocation({ kind: 'device', tokens: [phone.record] }, 'device_unlinked', flag(true));
      expect(await store.revocations.applyRevocationPlan(fresh, T0 + 1)).toEqual({
        applied: true,
        revokedTokenIds: [phone.record.id],
        deletedGrantIds: [grant.id],
        endedSessionIds: [],
      });
      expect(await usable(store, laptop.value)).toBe(false);
    }),
  );

  it(
    '/oauth/revoke of a token revoked already still takes its grant with the flag on',
    withStore(async (store) => {
      const { grant, phone, laptop } = await grantWithTwoTokens(store, 'u1');
      await store.refreshTokens.revokeRefreshTokens([phone.record.id], 'management_api', T0);
      const applied = await store.revocations.applyRevocationPlan(
        planRevocation({ kind: 'token', token: phone.record }, 'oauth_revoke', flag(true)),
        T0 + 1,
      );
      expect(applied).toEqual({ applied: true, revokedTokenIds: [], deletedGrantIds: [grant.id], endedSessionIds: [] });
      expect(await usable(store, laptop.value)).toBe(false);
    }),
  );

  it(
    'deleting a grant revokes its tokens; an unknown grant writes nothing',
    withStore(async (store) => {
      const { grant, phone, laptop } = await grantWithTwoTokens(store, 'u1');
      expect(
        (
          await store.revocations.applyRevocationPlan(
            planRevocation({ kind: 'grant', grant: { id: 'gr_none' } }, 'grant_deleted', null),
            T0 + 1,
          )
        ).applied,
      ).toBe(false);
      expect(await store.revocationJournal.listRevocationJobs()).toEqual([]);
      const applied = await store.revocations.applyRevocationPlan(
        planRevocation({ kind: 'grant', grant }, 'grant_deleted', null),
        T0 + 1,
      );
      expect(applied).toEqual({ applied: true, revokedTokenIds: [], deletedGrantIds: [grant.id], endedSessionIds: [] });
      for (const t of [phone, laptop]) expect(await usable(store, t.value)).toBe(false);
    }),
  );

  it(
    'revoking a session ends it and revokes the tokens issued in it; an unknown session writes nothing',
    withStore(async (store) => {
      const session = newSession(
        'u1',
        { session_lifetime: 100, idle_session_lifetime: 10 },
        { ip: null, asn: null, userAgent: null },
        T0,
      );
      await store.sessions.createSession(session, sha256(randomSecret()));
      const inSession = mint('u1', T0, { session_id: session.id });
      const elsewhere = mint('u1', T0);
      for (const t of [inSession, elsewhere]) await store.refreshTokens.issueRefreshToken(t.record, 200);
      expect(
        (
          await store.revocations.applyRevocationPlan(
            planRevocation({ kind: 'session', session: { id: 'ses_none' } }, 'session_revoked', null),
            T0 + 1,
          )
        ).applied,
      ).toBe(false);
      const applied = await store.revocations.applyRevocationPlan(
        planRevocation({ kind: 'session', session }, 'session_revoked', null),
        T0 + 1,
      );
      expect(applied).toEqual({
        applied: true,
        revokedTokenIds: [],
        deletedGrantIds: [],
        endedSessionIds: [session.id],
      });
      expect((await store.sessions.getSession(session.id))!.revoked_at).toBe(T0 + 1);
      expect(await usable(store, inSession.value)).toBe(false);
      expect(await usable(store, elsewhere.value)).toBe(true);
    }),
  );

  it(
    "tokens by id are marked at once, unknown ids skipped; a user's tokens are journaled, in force at once",
    withStore(async (store) => {
      const { phone, laptop } = await grantWithTwoTokens(store, 'u1');
      const other = mint('u2', T0);
      await store.refreshTokens.issueRefreshToken(other.record, 200);
      const byId = await store.revocations.applyRevocationPlan(
        planRevocation({ kind: 'tokens', ids: [phone.record.id, 'rt_none'] }, 'refresh_tokens_revoked', null),
        T0 + 1,
      );
      expect(byId).toEqual({
        applied: true,
        revokedTokenIds: [phone.record.id],
        deletedGrantIds: [],
        endedSessionIds: [],
      });
      expect(await store.revocationJournal.listRevocationJobs()).toEqual([]);
      await store.revocations.applyRevocationPlan(
        planRevocation({ kind: 'user', user_id: 'u1' }, 'user_tokens_revoked', null),
        T0 + 1,
      );
      expect((await store.revocationJournal.listRevocationJobs()).map((j) => [j.target, j.reason])).toEqual([
        [{ kind: 'user', user_id: 'u1' }, 'user_tokens_revoked'],
      ]);
      expect(await usable(store, laptop.value)).toBe(false);
      expect(await usable(store, other.value)).toBe(true);
    }),
  );

  it(
    "an application's tokens journaled with a ceiling: a token issued after what the preview counted stays live",
    withStore(async (store) => {
      const counted = mint('u1', T0);
      await store.refreshTokens.issueRefreshToken(counted.record, 200);
      const [summary] = await store.refreshTokens.summarizeRefreshTokensByClient(T0, 'app');
      const later = mint('u2', T0);
      await store.refreshTokens.issueRefreshToken(later.record, 200);
      await store.revocations.applyRevocationPlan(
        planRevocation(
          { kind: 'client', client_id: 'app', issued_through: summary!.issued_through },
          'client_tokens_revoked',
          null,
        ),
        T0 + 1,
      );
      expect(await usable(store, counted.value)).toBe(false);
      expect(await usable(store, later.value)).toBe(true);
    }),
  );
});
