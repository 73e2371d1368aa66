import { DEMO, startEmbeddedStack, type EmbeddedStack } from '@rtc/stack';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser } from './browser.ts';
import { dropSchema } from '@rtc/db/postgres';

export type StaffRole = 'admin' | 'support' | 'viewer';

export interface TestStack extends EmbeddedStack {
  dataDir: string;
  /** With TEST_STORE=postgres: where the tenant and the BFF keep their rows. */
  database?: { url: string; schema: string };
  /** A browser signed in to the console as the demo staff member of that role. */
  signIn(role: StaffRole): Promise<StaffClient>;
  stop(): Promise<void>;
}

const quiet = { info() {}, warn() {}, error() {} };

/** The tenant (demo data, fresh temporary directory) and the BFF, on free ports. */
export async function startTestStack(
  options: {
    staticDir?: string | null;
    tenant?: Parameters<typeof startEmbeddedStack>[0]['tenant'];
    logs?: string[];
    now?: () => number;
    trustProxy?: number;
    stepUp?: Parameters<typeof startEmbeddedStack>[0]['stepUp'];
  } = {},
): Promise<TestStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rtc-stack-'));
  // TEST_STORE=postgres: tenant and BFF in a schema of their own on TEST_DATABASE_URL.
  const database =
    process.env.TEST_STORE === 'postgres'
      ? {
          url: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
          schema: `s_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`,
        }
      : undefined;
  const capture = options.logs
    ? (level: string) => (msg: string, fields?: Record<string, unknown>) =>
        options.logs!.push(JSON.stringify({ level, msg, ...fields }))
    : undefined;
  const logger = capture ? { info: capture('info'), warn: capture('warn'), error: capture('error') } : quiet;
  const stack = await startEmbeddedStack({
    dataDir,
    staticDir: options.staticDir ?? null,
    logger,
    tenantLogger: logger,
    sessionSecret: 'test-session-secret-that-is-long-enough-0123456789',
    ...(database ? { database } : {}),
    ...(options.tenant ? { tenant: options.tenant } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.trustProxy ? { trustProxy: options.trustProxy } : {}),
    ...(options.stepUp ? { stepUp: options.stepUp } : {}),
  });
  return {
    ...stack,
    dataDir,
    ...(database ? { database } : {}),
    signIn: (role) => signIn(stack, role),
    async stop() {
      await stack.close();
      rmSync(dataDir, { recursive: true, force: true });
      if (database) await dropSchema(database.url, database.schema);
    },
  };
}

export interface StaffClient {
  browser: Browser;
  /** Where the browser landed at the console after signing in. */
  landedAt: URL;
  csrf: string;
  /** Calls the BFF's API as the dashboard does: same Origin, the CSRF token. */
  api(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
}

/** Walks the real sign-in: BFF /auth/login -> tenant /authorize -> login form -> BFF /auth/callback. */
export async function signIn(
  stack: EmbeddedStack,
  role: StaffRole,
  browser = new Browser(),
  options: { returnTo?: string; stepUp?: boolean } = {},
): Promise<StaffClient> {
  const staff = DEMO.staff.find((s) => s.role === role)!;
  const query = new URLSearchParams({
    ...(options.returnTo !== undefined ? { returnTo: options.returnTo } : {}),
    ...(options.stepUp ? { step_up: '1' } : {}),
  }).toString();
  const login = await browser.navigate(`${stack.bffUrl}/auth/login${query ? `?${query}` : ''}`);
  let landedAt = login.url;
  // With a live tenant session (SSO) the tenant sends the browser straight back.
  if (login.url.origin !== new URL(stack.bffUrl).origin) {
    if (login.res.status !== 200) throw new Error(`expected the login page, got ${login.res.status}`);
    const html = await login.res.text();
    const tx = /name="tx" value="([^"]+)"/.exec(html)?.[1];
    if (!tx) throw new Error('no login form');
    const submitted = await browser.navigate(new URL('/u/login', login.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ tx, username: staff.email, password: staff.password }),
    });
    await submitted.res.body?.cancel();
    if (submitted.url.origin !== new URL(stack.bffUrl).origin) throw new Error(`sign-in ended at ${submitted.url}`);
    landedAt = submitted.url;
  } else {
    await login.res.body?.cancel();
  }
  const me = await browser.fetch(`${stack.bffUrl}/api/me`);
  if (me.status !== 200) throw new Error(`/api/me answered ${me.status}`);
  const { csrf_token } = (await me.json()) as { csrf_token: string };
  return {
    browser,
    landedAt,
    csrf: csrf_token,
    api: (method, path, body, headers = {}) =>
      browser.fetch(`${stack.bffUrl}${path}`, {
        method,
        headers: {
          origin: new URL(stack.bffUrl).origin,
          'x-csrf-token': csrf_token,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      }),
  };
}
