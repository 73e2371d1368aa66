/**
 * What the support console's users wait for: a listing through the Management API and through
 * the BFF, the search across users, the dashboard's refresh-token tab in Chromium, and the
 * bulk unlink of a device.
 */
import { chromium } from '@playwright/test';
import { DEMO } from '@rtc/stack';
import { expectedOf, signIn } from '@rtc/testkit';
import { load, progress } from './children.ts';
import type { BenchContext } from './context.ts';
import { atMost, inform } from './figures.ts';
import { SIZE } from './options.ts';
import { must } from '../must.ts';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-gpu',
  '--no-first-run',
];

/** Returns the support engineer's session cookie, for the soak's console reads. */
export async function consoleFigures(run: BenchContext): Promise<{ cookie: string }> {
  const { auth, bffUrl } = run;
  const url = run.tenant.url;
  // Listing a page of 50 for a user with 10,000 tokens: the tenant, then the same through the BFF.
  progress('listings: tenant, then BFF');
  const listing = await load({
    url,
    path: '/api/v2/users/auth0%7Cheavy/refresh-tokens?take=50',
    method: 'GET',
    connections: 10,
    durationSeconds: SIZE.seconds,
    headers: auth,
  });
  atMost(
    `GET /users/{id}/refresh-tokens (50 of ${SIZE.heavy}) on ${SIZE.tokens} tokens, p95`,
    listing.p95,
    'ms',
    5,
    `p50 ${listing.p50} ms, non-2xx ${listing.non2xx}`,
  );
  const staff = await signIn({ bffUrl } as Parameters<typeof signIn>[0], 'support');
  const cookie = must(staff.browser.cookie(new URL(bffUrl).host, 'rtc_session'), 'the session cookie');
  // The BFF's page is one Management API page (GET /refresh-tokens?user_id=&take=50) plus its
  // own work: both at one connection, so the difference is the BFF's, not queueing.
  const tenantPage = await load({
    url,
    path: '/api/v2/refresh-tokens?user_id=auth0%7Cheavy&take=50',
    method: 'GET',
    connections: 1,
    durationSeconds: SIZE.seconds,
    headers: auth,
  });
  const viaBff = await load({
    url: bffUrl,
    path: '/api/users/auth0%7Cheavy/refresh-tokens/page?take=50',
    method: 'GET',
    connections: 1,
    durationSeconds: SIZE.seconds,
    headers: { cookie: `rtc_session=${cookie}` },
  });
  atMost(
    `a page of 50 of the same user's tokens through the BFF, p50 over the tenant's page`,
    Math.max(0, Math.round((viaBff.p50 - tenantPage.p50) * 10) / 10),
    'ms',
    2,
    `BFF p50 ${viaBff.p50} ms, tenant p50 ${tenantPage.p50} ms (1 connection each), ` +
      `non-2xx ${viaBff.non2xx + tenantPage.non2xx}; one Management API page per request, names cached`,
  );

  // Search across users (a tenant extension, not Auth0's): a page of 50 live tokens used from one
  // address, from its /24 and from its network's ASN, on every generated token. The generator
  // spreads each listed address over its network's hosts, so one address matches a few hundred
  // tokens, the /24 tens of thousands and the carrier's ASN (T-Mobile US) a few hundred thousand.
  progress('search across users: by address, by /24, by ASN');
  const searchTargets = [
    { name: 'an address', query: 'ip=172.56.21.77' },
    { name: 'a /24', query: `ip=${encodeURIComponent('172.56.21.0/24')}` },
    { name: 'an ASN', query: 'asn=AS21928' },
  ];
  for (const target of searchTargets) {
    const probe = await fetch(`${url}/api/v2/refresh-tokens/search?${target.query}&take=50&include_totals=true`, {
      headers: auth,
    });
    const body = probe.ok
      ? ((await probe.json()) as { refresh_tokens: unknown[]; totals?: { tokens: number; users: number } })
      : null;
    const matched = body?.totals
      ? `${body.totals.tokens} tokens of ${body.totals.users} users match`
      : `probe answered ${probe.status}`;
    const page = await load({
      url,
      path: `/api/v2/refresh-tokens/search?${target.query}&take=50`,
      method: 'GET',
      connections: 10,
      durationSeconds: Math.min(5, SIZE.seconds),
      headers: auth,
    });
    atMost(
      `GET /refresh-tokens/search by ${target.name}, a page of 50 on ${SIZE.tokens} tokens, p95`,
      page.p95,
      'ms',
      50,
      `p50 ${page.p50} ms, non-2xx ${page.non2xx}; ${matched}`,
    );
    const totals = await load({
      url,
      path: `/api/v2/refresh-tokens/search?${target.query}&take=50&include_totals=true`,
      method: 'GET',
      connections: 1,
      durationSeconds: Math.min(5, SIZE.seconds),
      headers: auth,
    });
    inform(
      `  ... with include_totals (the console's first page), p95`,
      totals.p95,
      'ms',
      `p50 ${totals.p50} ms at 1 connection, non-2xx ${totals.non2xx}`,
    );
  }

  // The dashboard's refresh-token tab in Chromium: 1,000 tokens (one page decides: paged on the
  // server), and 10,000.
  progress('dashboard tab in Chromium');
  const tabMs = await dashboardTabMs(bffUrl, 'auth0|medium');
  atMost(
    `dashboard refresh-token tab interactive, user with ${SIZE.medium} tokens`,
    tabMs,
    'ms',
    1000,
    "from navigation to the first row's Revoke button enabled, signed in, cold page load",
  );
  const heavyTabMs = await dashboardTabMs(bffUrl, 'auth0|heavy');
  atMost(
    `dashboard refresh-token tab interactive, user with ${SIZE.heavy} tokens`,
    heavyTabMs,
    'ms',
    1000,
    'the same, paged on the server',
  );

  // The console's bulk action: unlinking a device of 1,000 tokens through the BFF, confirmed
  // against its preview (bulk revocation by ids underneath, not 1,000 sequential deletes).
  progress('unlinking a device of 1,000 tokens through the BFF');
  const mediumUser = '/api/users/auth0%7Cmedium';
  const { devices } = (await (await staff.api('GET', `${mediumUser}/devices`)).json()) as {
    devices: { name: string; token_count: number }[];
  };
  const busiest = must(devices.sort((a, b) => b.token_count - a.token_count)[0], 'a device of auth0|medium');
  const preview = await staff.api('POST', `${mediumUser}/impact`, {
    action: 'device.unlink',
    device_name: busiest.name,
  });
  if (!preview.ok) throw new Error(`the unlink preview answered ${preview.status}: ${await preview.text()}`);
  const shown = (await preview.json()) as Parameters<typeof expectedOf>[0];
  const unlinkStarted = performance.now();
  const unlinked = await staff.api('POST', `${mediumUser}/devices/unlink`, {
    device_name: busiest.name,
    expected: expectedOf(shown),
  });
  const unlinkMs = performance.now() - unlinkStarted;
  const revokedCount = unlinked.ok
    ? ((await unlinked.json()) as { revoked_token_ids: string[] }).revoked_token_ids.length
    : 0;
  atMost(
    `unlink a device of ${shown.tokens.length} tokens through the BFF, answered in`,
    Math.round(unlinkMs),
    'ms',
    1000,
    `status ${unlinked.status}, ${revokedCount} tokens revoked`,
  );
  return { cookie };
}

/**
 * Signs a support engineer in through the tenant's login page, then times a cold navigation
 * to the refresh-token tab of `userId` until its first row can be acted on. The best of
 * three, after one warm-up, as a user who opens the console more than once would see it.
 */
async function dashboardTabMs(bffUrl: string, userId: string): Promise<number> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1366, height: 860 } });
    await page.goto(`${bffUrl}/`);
    await page.getByRole('link', { name: 'Sign in' }).click();
    const staff = must(
      DEMO.staff.find((s) => s.role === 'support'),
      'a support engineer',
    );
    await page.getByLabel('Email address').fill(staff.email);
    await page.getByLabel('Password').fill(staff.password);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Users' }).waitFor();
    const times: number[] = [];
    for (let i = 0; i < 4; i++) {
      const started = performance.now();
      await page.goto(`${bffUrl}/users/${encodeURIComponent(userId)}/refresh-tokens`);
      const table = page.getByRole('table', { name: 'Refresh tokens of this user' });
      await table
        .getByRole('row')
        .nth(1)
        .getByRole('button', { name: /^Revoke/ })
        .click({ trial: true });
      times.push(performance.now() - started);
    }
    return Math.round(Math.min(...times.slice(1)));
  } finally {
    await browser.close();
  }
}
