/**
 * The large revocations, each judged against a bare UPDATE of the same rows on a copy of the file:
 * all of one user's tokens (DELETE /users/{id}/refresh-tokens) and all of one application's.
 */
import { openSqlite } from '@rtc/db/sqlite';
import { DEMO } from '@rtc/stack';
import { generatedTokenValue } from '@rtc/tenant';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { progress } from './children.ts';
import type { BenchContext } from './context.ts';
import { atMost } from './figures.ts';
import { SEED, SIZE } from './options.ts';

/** DELETE of a user's tokens (100,000 at full size): answer time, refusal from that moment, listing empty. */
export async function userRevocationFigures(run: BenchContext): Promise<void> {
  const { auth, dir, tenant } = run;
  const url = tenant.url;
  // Its yardstick first: one bare UPDATE of the same rows, committed on a copy of the file, so
  // the background revocation is judged against what the disk and SQLite allow here.
  progress('bulk revocation: a bare UPDATE of the same rows, then the tenant');
  const bare = await bareRevokeUpdateMs(join(dir, 'tenant.sqlite'), 'auth0|bulk');
  const deleteStarted = performance.now();
  const deleted = await fetch(`${url}/api/v2/users/auth0%7Cbulk/refresh-tokens`, {
    method: 'DELETE',
    headers: auth,
  }).catch((err) => {
    throw new Error(
      `the tenant did not answer (${(err as Error).message}); its last words:\n${tenant.logs.slice(-15).join('\n')}`,
    );
  });
  const answeredMs = performance.now() - deleteStarted;
  if (deleted.status !== 202) throw new Error(`DELETE answered ${deleted.status}`);
  const refused = await fetch(`${url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: DEMO.clients.mobile.client_id,
      refresh_token: generatedTokenValue(SEED, SIZE.heavy),
    }),
  });
  atMost(
    `DELETE /users/{id}/refresh-tokens for ${SIZE.bulk} tokens, answered in`,
    Math.round(answeredMs * 10) / 10,
    'ms',
    50,
    `a token of the user right after: ${refused.status}`,
  );
  let emptyMs = Number.NaN;
  for (;;) {
    const page = (await (
      await fetch(`${url}/api/v2/users/auth0%7Cbulk/refresh-tokens?take=1`, { headers: auth })
    ).json()) as { tokens: unknown[] };
    if (page.tokens.length === 0) {
      emptyMs = performance.now() - deleteStarted;
      break;
    }
    if (performance.now() - deleteStarted > 60_000) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  atMost(
    `  ... listing empty after`,
    Math.round(emptyMs) / 1000,
    's',
    5,
    'the listings read the revocation journal: empty once the DELETE has answered',
  );
  const bulkMarkedMs = await journalEmptyAfter(join(dir, 'tenant.sqlite'), deleteStarted, 120_000);
  atMost(
    `  ... every row marked revoked after`,
    Math.round(bulkMarkedMs / 100) / 10,
    's',
    Math.round((2 * bare.committedMs) / 100) / 10,
    `at least half the speed of one bare UPDATE of the same ${SIZE.bulk} rows here, ${yardstickNote(bare)}`,
  );
}

/**
 * Revoking every token of one application across all users: the mobile app's, hundreds of
 * thousands at full size. Last on this tenant: it leaves none of them usable.
 */
export async function applicationRevocationFigures(run: BenchContext): Promise<void> {
  const { auth, dir } = run;
  const url = run.tenant.url;
  progress('application-wide revocation of the mobile app');
  const summaryOf = async () =>
    (
      (await (
        await fetch(`${url}/api/v2/refresh-tokens/summary?client_id=${DEMO.clients.mobile.client_id}&users=0`, {
          headers: auth,
        })
      ).json()) as { applications: { tokens: number }[] }
    ).applications[0]?.tokens ?? 0;
  const appTokens = await summaryOf();
  const appBare = await bareRevokeUpdateMs(join(dir, 'tenant.sqlite'), { client_id: DEMO.clients.mobile.client_id });
  const appStarted = performance.now();
  const appRevoke = await fetch(`${url}/api/v2/clients/${DEMO.clients.mobile.client_id}/refresh-tokens/revoke`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: '{}',
  });
  const appAnsweredMs = performance.now() - appStarted;
  if (appRevoke.status !== 202)
    throw new Error(`POST /clients/{id}/refresh-tokens/revoke answered ${appRevoke.status}`);
  // The last generated token (an even index: the mobile app's), never used by the loads above.
  const appRefused = await fetch(`${url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: DEMO.clients.mobile.client_id,
      refresh_token: generatedTokenValue(SEED, SIZE.tokens - 2),
    }),
  });
  atMost(
    `POST /clients/{id}/refresh-tokens/revoke: every token of an application (${appTokens} live), answered in`,
    Math.round(appAnsweredMs * 10) / 10,
    'ms',
    50,
    `one of them right after: ${appRefused.status}`,
  );
  let appConvergedMs = Number.NaN;
  for (;;) {
    if ((await summaryOf()) === 0) {
      appConvergedMs = performance.now() - appStarted;
      break;
    }
    if (performance.now() - appStarted > 180_000) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  atMost(
    '  ... the application counts no live token after',
    Math.round(appConvergedMs / 100) / 10,
    's',
    60,
    "the summary, as the console's Applications area reads it (it reads the journal)",
  );
  const appMarkedMs = await journalEmptyAfter(join(dir, 'tenant.sqlite'), appStarted, 600_000);
  atMost(
    `  ... every row marked revoked after`,
    Math.round(appMarkedMs / 100) / 10,
    's',
    Math.round((2 * appBare.committedMs) / 100) / 10,
    `at least half the speed of one bare UPDATE of the same ${appTokens} rows here, ${yardstickNote(appBare)}`,
  );
}

/**
 * The least work any revocation of those rows can do on this disk: one UPDATE marking every
 * live token of `of` revoked, in one transaction, committed. It runs on a page-for-page copy
 * of the tenant's file (SQLite's online backup: the same layout, unlike VACUUM INTO), so the
 * tenant's rows stay live; the checkpoint is left to later, as the tenant's background
 * checkpointer leaves it. `rolledBackMs`: the same UPDATE rolled back on the tenant's own
 * file, this figure's yardstick until 2026-12-07: it never writes the pages it dirtied to the
 * log or syncs them, which is most of a commit's cost here (BENCHMARKS.md: 3.1 s rolled back,
 * 6.6-7.0 s committed, for the user's 100,000 rows).
 */
async function bareRevokeUpdateMs(
  file: string,
  of: string | { client_id: string },
): Promise<{ committedMs: number; rolledBackMs: number }> {
  const [column, value] = typeof of === 'string' ? ['user_id', of] : ['client_id', of.client_id];
  const sql = `UPDATE refresh_tokens SET revoked_at = ?, revoked_reason = 'bench' WHERE ${column} = ? AND revoked_at IS NULL`;
  const copy = `${file}.yardstick`;
  // The tenant's own file: no migrations to apply (an empty list), WAL and a busy timeout.
  const db = openSqlite(file, []);
  let rolledBackMs: number;
  try {
    await db.backup(copy);
    db.exec('BEGIN IMMEDIATE');
    const started = performance.now();
    db.prepare(sql).run(Date.now(), value);
    rolledBackMs = performance.now() - started;
    db.exec('ROLLBACK');
    // The rolled-back UPDATE spilled its pages into the WAL: truncate it, or the tenant's next
    // write pays for it and the figure after this yardstick is the yardstick's (an application-
    // wide revoke answered in 596 ms after it, 7 ms without it, in quick runs).
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  const onCopy = openSqlite(copy, []);
  try {
    onCopy.pragma('wal_autocheckpoint = 0');
    const started = performance.now();
    onCopy.transaction(() => onCopy.prepare(sql).run(Date.now(), value)).immediate();
    return { committedMs: performance.now() - started, rolledBackMs };
  } finally {
    onCopy.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${copy}${suffix}`, { force: true });
    // This process's event loop was held for seconds: let the HTTP client see the keep-alive
    // connections the tenant closed meanwhile, or the next request goes out on one of them and
    // fails ("other side closed": a full run died so on the application-wide revocation).
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const yardstickNote = (bare: { committedMs: number; rolledBackMs: number }) =>
  `committed (${Math.round(bare.committedMs)} ms; rolled back: ${Math.round(bare.rolledBackMs)} ms): ` +
  "the background worker's batches";

/** Milliseconds from `started` until the tenant's revocation journal is empty: every row marked (NaN past `timeoutMs`). */
async function journalEmptyAfter(file: string, started: number, timeoutMs: number): Promise<number> {
  const db = openSqlite(file, []);
  try {
    const pending = db.prepare('SELECT count(*) FROM revocation_jobs').pluck();
    while (performance.now() - started < timeoutMs) {
      if (pending.get() === 0) return performance.now() - started;
      await new Promise((r) => setTimeout(r, 100));
    }
    return Number.NaN;
  } finally {
    db.close();
  }
}
