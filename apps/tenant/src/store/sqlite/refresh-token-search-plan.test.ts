import type Database from 'better-sqlite3';
import { addressRange } from '@rtc/ip-intel';
import { describe, expect, it } from 'vitest';
import type { RefreshTokenSearch } from '../contract/refresh-tokens.ts';
import { recordPrepared } from './record-prepared.ts';
import { openSqliteStore } from './sqlite-store.ts';

/**
 * Search across users must cost a page, not a table, at 1,000,000 tokens: by one
 * ASN, one address or one network up to a /24 (IPv6: /48), each of its two walks (initial,
 * last) seeks its partial index of live tokens by (value, id) from the checkpoint, in id order,
 * so LIMIT stops it (a network's walk checks the address range in the index, and reads the row of
 * a token in it only); by a larger network, each reads a range of its address index, gathered
 * and sorted. An application given too must not send the walk through
 * the application's index. Without migrations 8 and 9 every shape scans the table.
 */
/** The plan of one statement: the lines that read refresh_tokens. */
function planOf(db: Database.Database, sql: string): string[] {
  // Plans do not depend on the values: every parameter bound to null.
  const params = Object.fromEntries([...sql.matchAll(/@(\w+)/g)].map((m) => [m[1]!, null]));
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[])
    .map((row) => row.detail)
    .filter((detail) => detail.includes('refresh_tokens'));
}

async function plansOf(filter: RefreshTokenSearch, from: string | undefined) {
  const store = openSqliteStore(':memory:');
  try {
    const { db, prepared, stop } = recordPrepared(store);
    await store.refreshTokens.searchRefreshTokens(filter, 0, from, 50);
    stop();
    const [page] = prepared.filter((sql) => /FROM refresh_tokens/.test(sql));
    return planOf(db, page!);
  } finally {
    await store.close();
  }
}

describe('SQLite refresh-token search plan', () => {
  for (const from of [undefined, 'rt_checkpoint']) {
    const seek = from ? ' AND id>?' : '';
    const checkpoint = from ? ', from a checkpoint' : '';
    it(`walks both address indexes in id order for one address${checkpoint}`, async () => {
      for (const address of ['203.0.113.7', '2001:db8:1:2::7', '::1']) {
        expect(await plansOf({ ip: addressRange(address)! }, from), address).toEqual([
          'SEARCH refresh_tokens USING INDEX sqlite_autoindex_refresh_tokens_1 (id=?)',
          `SEARCH refresh_tokens USING INDEX rt_initial_ip_live (initial_ip_key=?${seek})`,
          `SEARCH refresh_tokens USING INDEX rt_last_ip_live (last_ip_key=?${seek})`,
        ]);
      }
    });

    it(`walks both network indexes in id order for one network up to a /24 (IPv6: /48)${checkpoint}`, async () => {
      for (const cidr of ['203.0.113.0/24', '203.0.113.128/26', '2001:db8:1::/48', '2001:db8:1:2::/64']) {
        expect(await plansOf({ ip: addressRange(cidr)! }, from), cidr).toEqual([
          'SEARCH refresh_tokens USING INDEX sqlite_autoindex_refresh_tokens_1 (id=?)',
          `SEARCH refresh_tokens USING INDEX rt_initial_net_live (initial_net_key=?${seek})`,
          `SEARCH refresh_tokens USING INDEX rt_last_net_live (last_net_key=?${seek})`,
        ]);
      }
    });

    it(`walks both ASN indexes in id order for one ASN${checkpoint}`, async () => {
      expect(await plansOf({ asn: 'AS64500' }, from)).toEqual([
        'SEARCH refresh_tokens USING INDEX sqlite_autoindex_refresh_tokens_1 (id=?)',
        `SEARCH refresh_tokens USING INDEX rt_initial_asn_live (initial_asn=?${seek})`,
        `SEARCH refresh_tokens USING INDEX rt_last_asn_live (last_asn=?${seek})`,
      ]);
    });

    it(`reads a range of both address indexes for a larger network${checkpoint}`, async () => {
      for (const cidr of ['203.0.0.0/16', '2001:db8::/32']) {
        expect(await plansOf({ ip: addressRange(cidr)! }, from), cidr).toEqual([
          'SEARCH refresh_tokens USING INDEX sqlite_autoindex_refresh_tokens_1 (id=?)',
          'SEARCH refresh_tokens USING INDEX rt_initial_ip_live (initial_ip_key>? AND initial_ip_key<?)',
          'SEARCH refresh_tokens USING INDEX rt_last_ip_live (last_ip_key>? AND last_ip_key<?)',
        ]);
      }
    });
  }

  it('walks by address before ASN, never by the application, and never scans the table', async () => {
    for (const filter of [
      { ip: addressRange('203.0.113.0/24')!, asn: 'AS64500', client_id: 'app' },
      { asn: 'AS64500', client_id: 'app', device_name: 'phone' },
    ]) {
      const plan = (await plansOf(filter, undefined)).join('\n');
      expect(plan).toMatch(
        filter.ip ? /rt_initial_net_live[\s\S]*rt_last_net_live/ : /rt_initial_asn_live[\s\S]*rt_last_asn_live/,
      );
      expect(plan).not.toMatch(/rt_client_live|SCAN refresh_tokens/);
    }
  });

  it('keeps the same walks with a DPoP binding filter (bound or bearer is checked on the rows they find)', async () => {
    for (const dpop of ['bound', 'bearer'] as const) {
      expect(await plansOf({ asn: 'AS64500', dpop }, 'rt_checkpoint')).toEqual(
        await plansOf({ asn: 'AS64500' }, 'rt_checkpoint'),
      );
      expect(await plansOf({ ip: addressRange('203.0.113.0/24')!, dpop }, undefined)).toEqual(
        await plansOf({ ip: addressRange('203.0.113.0/24')! }, undefined),
      );
      expect(await plansOf({ ip: addressRange('203.0.113.7')!, client_id: 'app', dpop }, undefined)).toEqual(
        await plansOf({ ip: addressRange('203.0.113.7')!, client_id: 'app' }, undefined),
      );
    }
  });
});
