import { describe, expect, it } from 'vitest';
import { planRevocation, REVOCATION_RULES, type PlanTarget, type RevocationWayIn } from './revocation-plan.ts';
import { FLAG_GOVERNED_WAYS_IN } from '@rtc/contracts/revocation-flag';

const token = { id: 'rt_1', grant_id: 'gr_1' };
const targets: Record<PlanTarget['kind'], PlanTarget> = {
  token: { kind: 'token', token },
  device: {
    kind: 'device',
    tokens: [token, { id: 'rt_5', grant_id: 'gr_1' }, { id: 'rt_6', grant_id: null }, { id: 'rt_7', grant_id: 'gr_2' }],
  },
  grant: { kind: 'grant', grant: { id: 'gr_9' } },
  session: { kind: 'session', session: { id: 'ses_1' } },
  tokens: { kind: 'tokens', ids: ['rt_3', 'rt_4', 'rt_3'] },
  user: { kind: 'user', user_id: 'u1', client_id: 'app' },
  client: { kind: 'client', client_id: 'app', issued_through: 42 },
};
const flag = (on: boolean) => ({ flags: { revoke_refresh_token_grant: on } });

/** Every way in, with the flag off and on: exactly what goes. */
const EXPECTED: Record<
  RevocationWayIn,
  Record<'off' | 'on', { tokenIds: string[]; grantIds: string[]; sessionIds: string[]; journal: unknown[] }>
> = {
  // "Enable the toggle to delete the underlying grant when you revoke the refresh token."
  oauth_revoke: {
    off: { tokenIds: ['rt_1'], grantIds: [], sessionIds: [], journal: [] },
    on: { tokenIds: ['rt_1'], grantIds: ['gr_1'], sessionIds: [], journal: [] },
  },
  // "...when a device is unlinked from a user in Auth0, using either the Dashboard or the Management API."
  device_unlinked: {
    off: { tokenIds: ['rt_1'], grantIds: [], sessionIds: [], journal: [] },
    on: { tokenIds: ['rt_1'], grantIds: ['gr_1'], sessionIds: [], journal: [] },
  },
  // Revoking by id through the refresh-tokens API: the flag does not apply.
  // Asynchronous, as Auth0's: journaled, each id once.
  refresh_token_deleted: {
    off: {
      tokenIds: [],
      grantIds: [],
      sessionIds: [],
      journal: [{ target: { kind: 'token', token_id: 'rt_3' } }, { target: { kind: 'token', token_id: 'rt_4' } }],
    },
    on: {
      tokenIds: [],
      grantIds: [],
      sessionIds: [],
      journal: [{ target: { kind: 'token', token_id: 'rt_3' } }, { target: { kind: 'token', token_id: 'rt_4' } }],
    },
  },
  refresh_tokens_revoked: {
    off: { tokenIds: ['rt_3', 'rt_4'], grantIds: [], sessionIds: [], journal: [] },
    on: { tokenIds: ['rt_3', 'rt_4'], grantIds: [], sessionIds: [], journal: [] },
  },
  code_reused: {
    off: { tokenIds: ['rt_3', 'rt_4'], grantIds: [], sessionIds: [], journal: [] },
    on: { tokenIds: ['rt_3', 'rt_4'], grantIds: [], sessionIds: [], journal: [] },
  },
  user_tokens_revoked: {
    off: {
      tokenIds: [],
      grantIds: [],
      sessionIds: [],
      journal: [{ target: { kind: 'user', user_id: 'u1', client_id: 'app' } }],
    },
    on: {
      tokenIds: [],
      grantIds: [],
      sessionIds: [],
      journal: [{ target: { kind: 'user', user_id: 'u1', client_id: 'app' } }],
    },
  },
  // The preview's ceiling goes with the journaled revocation: nothing issued after what it counted.
  client_tokens_revoked: {
    off: {
      tokenIds: [],
      grantIds: [],
      sessionIds: [],
      journal: [{ target: { kind: 'client', client_id: 'app' }, issuedThrough: 42 }],
    },
    on: {
      tokenIds: [],
      grantIds: [],
      sessionIds: [],
      journal: [{ target: { kind: 'client', client_id: 'app' }, issuedThrough: 42 }],
    },
  },
  // "When a grant is revoked, so are all tokens issued in the context of that grant": with either flag value.
  grant_deleted: {
    off: { tokenIds: [], grantIds: ['gr_9'], sessionIds: [], journal: [] },
    on: { tokenIds: [], grantIds: ['gr_9'], sessionIds: [], journal: [] },
  },
  session_revoked: {
    off: { tokenIds: [], grantIds: [], sessionIds: ['ses_1'], journal: [] },
    on: { tokenIds: [], grantIds: [], sessionIds: ['ses_1'], journal: [] },
  },
};

describe('planRevocation', () => {
  const cases = (Object.keys(REVOCATION_RULES) as RevocationWayIn[]).flatMap((wayIn) =>
    (['off', 'on'] as const).map((value) => [wayIn, value] as const),
  );

  it.each(cases)(
    '%s with "Refresh Token Revocation Deletes Grant" %s takes exactly what its rule says',
    (wayIn, value) => {
      const rule = REVOCATION_RULES[wayIn];
      const plan = planRevocation(targets[rule.targets[0]!], wayIn, flag(value === 'on'));
      expect({
        tokenIds: plan.tokenIds,
        grantIds: plan.grantIds,
        sessionIds: plan.sessionIds,
        journal: plan.journal,
      }).toEqual(EXPECTED[wayIn][value]);
      expect(plan).toMatchObject({ wayIn, reason: rule.reason, refusedUnless: rule.refusedUnless });
    },
  );

  it('every way in is in the table above', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(Object.keys(REVOCATION_RULES).sort());
  });

  it('a device unlinked at once takes every token named, and with the flag on each grant they hold, once', () => {
    expect(planRevocation(targets.device, 'device_unlinked', flag(false))).toMatchObject({
      tokenIds: ['rt_1', 'rt_5', 'rt_6', 'rt_7'],
      grantIds: [],
      refusedUnless: 'live',
      reason: 'device_unlinked',
    });
    expect(planRevocation(targets.device, 'device_unlinked', flag(true))).toMatchObject({
      tokenIds: ['rt_1', 'rt_5', 'rt_6', 'rt_7'],
      grantIds: ['gr_1', 'gr_2'],
    });
    expect(() => planRevocation(targets.device, 'oauth_revoke', flag(true))).toThrow(/acts on a token, not a device/);
  });

  it('a token without a grant (a password-grant token, say) takes no grant with the flag on', () => {
    expect(
      planRevocation({ kind: 'token', token: { id: 'rt_2', grant_id: null } }, 'oauth_revoke', flag(true)).grantIds,
    ).toEqual([]);
  });

  it('an unlink is refused unless its token is live; /oauth/revoke acts on the token it found, revoked or not', () => {
    expect(planRevocation(targets.token, 'device_unlinked', flag(false)).refusedUnless).toBe('live');
    expect(planRevocation(targets.token, 'oauth_revoke', flag(false)).refusedUnless).toBeNull();
  });

  it('a way in the flag governs refuses to plan without the settings; one it does not needs none', () => {
    expect(() => planRevocation(targets.token, 'device_unlinked', null)).toThrow(/tenant flag/);
    expect(planRevocation(targets.grant, 'grant_deleted', null).grantIds).toEqual(['gr_9']);
  });

  it('a target of the wrong kind for the way in is a programming error', () => {
    expect(() => planRevocation(targets.grant, 'oauth_revoke', flag(true))).toThrow(/acts on a token/);
  });
});

describe("the flag's ways in", () => {
  it('are exactly those the shared rule names, which the console previews by', () => {
    const governed = (Object.keys(REVOCATION_RULES) as RevocationWayIn[]).filter(
      (wayIn) => EXPECTED[wayIn].on.grantIds.length > EXPECTED[wayIn].off.grantIds.length,
    );
    expect(governed.sort()).toEqual(Object.keys(FLAG_GOVERNED_WAYS_IN).sort());
  });
});
