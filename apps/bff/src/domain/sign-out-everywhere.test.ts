import { describe, expect, it } from 'vitest';
import { digestOf } from './search-view.ts';
import { signOutChange, signOutDetail, signOutDigest, signOutImpact } from './sign-out-everywhere.ts';
import { type Names, toRefreshToken, toSession } from './user-view.ts';

const names: Names = {
  clients: new Map([
    ['mobile', 'Acme Mobile'],
    ['web', 'Acme Web'],
    ['web2', 'Acme Web'],
  ]),
  apis: new Map(),
};
const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const deviceNames = new Map([
  ['rt_1', 'iPhone 15'],
  ['rt_2', 'iPhone 15'],
  ['rt_3', 'Pixel 8'],
]);
/** A token as the user's page loads it; one with no credential has no device name (a real Auth0's). */
const token = (id: string, client_id: string, device: Record<string, string> = {}) =>
  toRefreshToken({ id, client_id, user_id: 'auth0|jane', device, session_id: 'ses_1' }, deviceNames, names);
const tokens = [
  token('rt_1', 'mobile'),
  token('rt_2', 'web'),
  token('rt_3', 'mobile'),
  token('rt_4', 'web2', { last_user_agent: CHROME }),
  token('rt_5', 'web2'),
];
const session = toSession({ id: 'ses_1', device: { last_user_agent: CHROME, last_ip: '9.9.9.9' } }, tokens, names);
const jane = { user_id: 'auth0|jane', name: 'Jane', blocked: false };

describe('signOutImpact', () => {
  const impact = signOutImpact(jane, tokens, [session], false);

  it('counts the tokens by application, most first; two applications of one name are two', () => {
    expect(impact.tokens).toBe(5);
    expect(impact.applications).toEqual([
      { client_id: 'mobile', name: 'Acme Mobile', tokens: 2 },
      { client_id: 'web2', name: 'Acme Web', tokens: 2 },
      { client_id: 'web', name: 'Acme Web', tokens: 1 },
    ]);
  });

  it('counts the tokens by device: by name, else by agent in words, else "Unnamed device"', () => {
    expect(impact.devices).toEqual([
      { name: 'iPhone 15', tokens: 2 },
      { name: 'Chrome 126 on Windows 10', tokens: 1 },
      { name: 'Pixel 8', tokens: 1 },
      { name: 'Unnamed device', tokens: 1 },
    ]);
  });

  it('describes each session, and carries the user, the truncation and whether the user is blocked', () => {
    expect(impact).toMatchObject({
      user_id: 'auth0|jane',
      user_name: 'Jane',
      sessions: [{ session_id: 'ses_1', description: 'Chrome 126 on Windows 10 (iPhone 15, Pixel 8), 9.9.9.9' }],
      truncated: false,
      blocked: false,
    });
    expect(signOutImpact({ ...jane, blocked: true }, tokens, [], true)).toMatchObject({
      truncated: true,
      blocked: true,
    });
  });

  it('is bound to the digest of every token and session id', () => {
    expect(impact.digest).toBe(signOutDigest(['rt_1', 'rt_2', 'rt_3', 'rt_4', 'rt_5'], ['ses_1']));
  });

  it('previews a user with nothing live as nothing', () => {
    expect(signOutImpact(jane, [], [], false)).toEqual({
      user_id: 'auth0|jane',
      user_name: 'Jane',
      tokens: 0,
      applications: [],
      devices: [],
      sessions: [],
      digest: signOutDigest([], []),
      truncated: false,
      blocked: false,
    });
  });
});

describe('signOutDigest', () => {
  it('never lets a token id stand in for a session id', () => {
    expect(signOutDigest(['x'], [])).not.toBe(signOutDigest([], ['x']));
    expect(signOutDigest(['x'], ['y'])).not.toBe(signOutDigest(['y'], ['x']));
  });

  it('does not depend on order, and is the digest of the prefixed ids', () => {
    expect(signOutDigest(['b', 'a'], ['s'])).toBe(signOutDigest(['a', 'b'], ['s']));
    expect(signOutDigest(['a'], ['s'])).toBe(digestOf(['token:a', 'session:s']));
  });
});

describe('signOutChange', () => {
  const impact = signOutImpact(jane, tokens, [session], false);
  const confirmed = { tokens: 5, sessions: 1, digest: impact.digest };

  it('lets the action run when the fresh preview is the one confirmed', () => {
    expect(signOutChange(confirmed, impact)).toBeNull();
  });

  it('refuses when no preview was confirmed', () => {
    expect(signOutChange(undefined, impact)).toBe('Nothing was revoked: confirm the preview of this action first.');
  });

  it('refuses when the counts are the same but the ids are not: one token revoked and another issued', () => {
    const swapped = signOutImpact(jane, [...tokens.slice(1), token('rt_9', 'mobile')], [session], false);
    expect(signOutChange(confirmed, swapped)).toBe(
      'What this would revoke changed since the preview: the same counts (5 refresh tokens, 1 session), ' +
        'but other ones. Nothing was revoked and nobody was blocked; check the new preview and confirm again.',
    );
  });

  it('says both counts when they differ, in the singular where one', () => {
    const fewer = signOutImpact(jane, tokens.slice(0, 1), [], false);
    expect(signOutChange(confirmed, fewer)).toBe(
      'What this would revoke changed since the preview: 1 refresh token and 0 sessions now, ' +
        '5 refresh tokens and 1 session in the preview. ' +
        'Nothing was revoked and nobody was blocked; check the new preview and confirm again.',
    );
  });

  it('refuses when a count differs though the digest matches', () => {
    expect(signOutChange({ ...confirmed, tokens: 4 }, impact)).toContain('5 refresh tokens and 1 session now');
    expect(signOutChange({ ...confirmed, sessions: 0 }, impact)).toContain('5 refresh tokens and 0 sessions in');
  });
});

describe('signOutDetail', () => {
  const impact = signOutImpact(jane, tokens.slice(0, 2), [session], false);
  const ids = ['rt_1', 'rt_2'];

  it('says what blocking did first, then the counts in words, then every id', () => {
    expect(
      signOutDetail('jane@example.com', 'auth0|jane', impact, ids, ['ses_1'], { asked: true, already: false }),
    ).toBe(
      'user jane@example.com: blocked the user; revoked 2 refresh tokens on 1 device: iPhone 15 (2); ' +
        'of 2 applications: Acme Mobile (1), Acme Web (1); ended 1 session: ' +
        'Chrome 126 on Windows 10 (iPhone 15, Pixel 8), 9.9.9.9; refresh token ids: rt_1 rt_2; session ids: ses_1',
    );
  });

  it('says whether the user was blocked already, or not blocked, and names a user without email by id', () => {
    const detail = (block: { asked: boolean; already: boolean }) =>
      signOutDetail(null, 'auth0|jane', impact, ids, ['ses_1'], block);
    expect(detail({ asked: true, already: true })).toMatch(/^user auth0\|jane: the user was blocked already; /);
    expect(detail({ asked: false, already: false })).toMatch(/^user auth0\|jane: did not block the user; /);
    expect(detail({ asked: false, already: true })).toMatch(/^user auth0\|jane: did not block the user; /);
  });

  it('says when more tokens were revoked than the console listed', () => {
    const truncated = { ...impact, truncated: true };
    expect(signOutDetail(null, 'auth0|jane', truncated, ids, [], { asked: false, already: false })).toContain(
      'revoked 2 refresh tokens (more than the console lists: every token of the user) on 1 device',
    );
  });

  it('leaves out devices, applications and id lists when there were none', () => {
    const nothing = signOutImpact(jane, [], [], false);
    expect(signOutDetail(null, 'auth0|jane', nothing, [], [], { asked: false, already: false })).toBe(
      'user auth0|jane: did not block the user; revoked 0 refresh tokens; ended 0 sessions',
    );
  });
});
