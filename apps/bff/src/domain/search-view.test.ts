import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { TenantRefreshToken, TenantSession } from '../management/search.ts';
import {
  countTokens,
  describeFilter,
  digestOf,
  topUsers,
  toSessionRow,
  toTokenRow,
  type UserNames,
} from './search-view.ts';
import type { Names } from './user-view.ts';

const names: Names = { clients: new Map([['mobile', 'Acme Mobile']]), apis: new Map() };
const users: UserNames = new Map([['auth0|jane', { email: 'jane@example.com', name: 'Jane' }]]);
const CREATED = '2026-12-01T09:00:00.000Z';
const EXCHANGED = '2026-12-07T10:00:00.000Z';
const JKT = '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I';

const token: TenantRefreshToken = {
  id: 'rt_1',
  user_id: 'auth0|jane',
  client_id: 'mobile',
  session_id: 'ses_1',
  created_at: CREATED,
  last_exchanged_at: EXCHANGED,
  device_name: 'iPhone 15',
  device: {
    initial_ip: '9.9.9.9',
    initial_user_agent: 'AcmeMobile/4.2.1 (iPhone; iOS 18.1; Scale/3.00)',
    last_ip: '10.0.0.1',
    last_asn: 'AS15169',
    last_user_agent: 'curl/8.5.0',
  },
  dpop_jkt: JKT,
};

describe('toTokenRow', () => {
  it("joins the user's and the application's names, and each sighting's place and agent", () => {
    expect(toTokenRow(token, users, names)).toEqual({
      id: 'rt_1',
      user: { user_id: 'auth0|jane', email: 'jane@example.com', name: 'Jane' },
      application: { client_id: 'mobile', name: 'Acme Mobile' },
      device_name: 'iPhone 15',
      session_id: 'ses_1',
      created_at: CREATED,
      last_used_at: EXCHANGED,
      initial: {
        ip: '9.9.9.9',
        asn: null,
        user_agent: 'AcmeMobile/4.2.1 (iPhone; iOS 18.1; Scale/3.00)',
        agent: 'AcmeMobile 4.2.1 on iOS 18.1',
        place: { asn: 'AS19281', network: 'Quad9', country: 'US', country_name: 'United States' },
      },
      last: {
        ip: '10.0.0.1',
        asn: 'AS15169',
        user_agent: 'curl/8.5.0',
        agent: 'curl 8.5.0',
        // A private address: the network is the one the tenant recorded, no country.
        place: { asn: 'AS15169', network: 'Google LLC', country: null, country_name: null },
      },
      binding: { kind: 'dpop', jkt: JKT },
    });
  });

  it('shows a user the tenant no longer knows by id, and an unnamed application by its client id', () => {
    const row = toTokenRow({ ...token, user_id: 'auth0|gone', client_id: 'cli_x' }, users, names);
    expect(row.user).toEqual({ user_id: 'auth0|gone', email: null, name: null });
    expect(row.application).toEqual({ client_id: 'cli_x', name: 'cli_x' });
  });

  it('takes a never-exchanged token as last used when it was issued', () => {
    expect(toTokenRow({ ...token, last_exchanged_at: null }, users, names).last_used_at).toBe(CREATED);
    expect(toTokenRow({ ...token, last_exchanged_at: '' }, users, names).last_used_at).toBe(CREATED);
  });

  it('reads empty or missing fields as unknown (null)', () => {
    const bare: TenantRefreshToken = { id: 'rt_2', user_id: 'auth0|jane', client_id: 'mobile' };
    const row = toTokenRow(bare, users, names);
    expect(row).toMatchObject({ device_name: null, session_id: null, created_at: null, last_used_at: null });
    const nothing = { ip: null, asn: null, user_agent: null, agent: null, place: null };
    expect(row.initial).toEqual(nothing);
    expect(row.last).toEqual(nothing);
    expect(toTokenRow({ ...bare, device_name: '', session_id: '' }, users, names)).toMatchObject({
      device_name: null,
      session_id: null,
    });
  });

  it('tells a bearer token (dpop_jkt null) from one whose binding the tenant does not say (absent)', () => {
    expect(toTokenRow({ ...token, dpop_jkt: null }, users, names).binding).toEqual({ kind: 'bearer' });
    const { dpop_jkt: _, ...unsaid } = token;
    expect(toTokenRow(unsaid, users, names).binding).toBeNull();
  });
});

describe('toSessionRow', () => {
  const session: TenantSession = {
    id: 'ses_1',
    user_id: 'auth0|jane',
    created_at: CREATED,
    authenticated_at: CREATED,
    last_interacted_at: EXCHANGED,
    device: { initial_ip: '9.9.9.9', last_ip: '8.8.8.8' },
    clients: [{ client_id: 'mobile' }, { client_id: 'cli_x' }],
  };

  it('names its user and applications, and places its addresses', () => {
    const row = toSessionRow(session, users, names);
    expect(row).toMatchObject({
      id: 'ses_1',
      user: { user_id: 'auth0|jane', email: 'jane@example.com', name: 'Jane' },
      applications: [
        { client_id: 'mobile', name: 'Acme Mobile' },
        { client_id: 'cli_x', name: 'cli_x' },
      ],
      created_at: CREATED,
      authenticated_at: CREATED,
      last_used_at: EXCHANGED,
    });
    expect(row.initial.place?.network).toBe('Quad9');
    expect(row.last.place?.network).toBe('Google LLC');
  });

  it('takes a session with no interaction since it was opened as last used then, and no clients as none', () => {
    const { last_interacted_at: _, clients: __, ...opened } = session;
    expect(toSessionRow(opened, users, names)).toMatchObject({ last_used_at: CREATED, applications: [] });
  });
});

describe('digestOf', () => {
  it('is the SHA-256 of the sorted ids joined by newlines', () => {
    expect(digestOf(['rt_b', 'rt_a'])).toBe(createHash('sha256').update('rt_a\nrt_b').digest('hex'));
  });

  it('does not depend on the order of the ids, and leaves the list as it was', () => {
    const ids = ['rt_3', 'rt_1', 'rt_2'];
    expect(digestOf(ids)).toBe(digestOf(['rt_1', 'rt_2', 'rt_3']));
    expect(ids).toEqual(['rt_3', 'rt_1', 'rt_2']);
  });

  it('changes when one token is swapped for another, though the count is the same', () => {
    expect(digestOf(['rt_1', 'rt_2'])).not.toBe(digestOf(['rt_1', 'rt_3']));
  });

  it('has a digest for no ids at all, that of the empty text', () => {
    expect(digestOf([])).toBe(createHash('sha256').update('').digest('hex'));
  });
});

describe('countTokens', () => {
  it('counts tokens, distinct users, and distinct devices per user', () => {
    expect(
      countTokens([
        { user_id: 'auth0|jane', device_name: 'iPhone 15' },
        { user_id: 'auth0|jane', device_name: 'iPhone 15' },
        { user_id: 'auth0|jane', device_name: 'Pixel 8' },
        // Same device name, another user: another device.
        { user_id: 'auth0|john', device_name: 'iPhone 15' },
      ]),
    ).toEqual({ tokens: 4, users: 2, devices: 3 });
  });

  it("counts a user's tokens without a device name as one device, absent or null alike", () => {
    expect(
      countTokens([
        { user_id: 'auth0|jane', device_name: null },
        { user_id: 'auth0|jane' },
        { user_id: 'auth0|john', device_name: null },
      ]),
    ).toEqual({ tokens: 3, users: 2, devices: 2 });
  });

  it('does not run a user id and a device name together into another pair', () => {
    expect(
      countTokens([
        { user_id: 'a', device_name: 'b:c' },
        { user_id: 'a:b', device_name: 'c' },
      ]).devices,
    ).toBe(2);
  });

  it('counts nothing in no tokens', () => {
    expect(countTokens([])).toEqual({ tokens: 0, users: 0, devices: 0 });
  });
});

describe('topUsers', () => {
  const rows = ['u_b', 'u_a', 'u_c', 'u_c', 'u_b', 'u_c'].map((user_id) => ({ user_id }));

  it('lists the users with most rows first, ties by id', () => {
    expect(topUsers(rows, 10)).toEqual([
      { user_id: 'u_c', count: 3 },
      { user_id: 'u_b', count: 2 },
      { user_id: 'u_a', count: 1 },
    ]);
    expect(topUsers([{ user_id: 'u_z' }, { user_id: 'u_y' }], 10).map((u) => u.user_id)).toEqual(['u_y', 'u_z']);
  });

  it('keeps at most `limit` users', () => {
    expect(topUsers(rows, 2).map((u) => u.user_id)).toEqual(['u_c', 'u_b']);
    expect(topUsers(rows, 0)).toEqual([]);
  });

  it('has no users for no rows', () => {
    expect(topUsers([], 5)).toEqual([]);
  });
});

describe('describeFilter', () => {
  it('says each condition in words, in a fixed order, naming the application', () => {
    expect(
      describeFilter(
        { client_id: 'mobile', ip: '203.0.113.0/24', user_agent: 'curl', device_name: 'iPhone', dpop: 'bearer' },
        names,
      ),
    ).toBe(
      'address 203.0.113.0/24, user agent containing "curl", device name containing "iPhone", ' +
        'application "Acme Mobile" (mobile), DPoP binding bearer',
    );
  });

  it('names an application it does not know by its id, and says the network and the time range', () => {
    expect(
      describeFilter(
        {
          asn: 'AS64500',
          client_id: 'cli_x',
          last_used_from: '2026-12-01T00:00:00Z',
          last_used_to: '2026-12-08T00:00:00Z',
        },
        names,
      ),
    ).toBe(
      'network AS64500, application "cli_x" (cli_x), last used from 2026-12-01T00:00:00Z, ' +
        'last used before 2026-12-08T00:00:00Z',
    );
  });

  it('says nothing of conditions not given', () => {
    expect(describeFilter({}, names)).toBe('');
    expect(describeFilter({ ip: undefined, asn: 'AS1' }, names)).toBe('network AS1');
  });
});
