import { test as base, expect, type Page, type TestInfo } from '@playwright/test';
import { demoEndUser, DEMO } from '@rtc/tenant';
import { endUserApp } from '@rtc/testkit';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

export { expect };

export const STAFF_STATE = (role: 'admin' | 'support' | 'viewer') => `e2e/.auth/${role}.json`;
export const bffUrl = () => process.env.E2E_BFF_URL!;
export const tenantUrl = () => process.env.E2E_TENANT_URL!;

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Demo end users handed out one per test, so no test sees another's tokens. */
let nextCustomer = 10;

export interface Customer {
  user_id: string;
  email: string;
  name: string;
  /**
   * Signs in on `device` with an app of the demo tenant; returns the refresh token. `from`: the
   * app's address, as the tenant's trusted proxy reports it (X-Forwarded-For; see global-setup).
   */
  login(
    device: string,
    app?: 'mobile' | 'web',
    options?: { audience?: string; scope?: string; from?: string },
  ): Promise<string>;
  /** Whether a refresh token (or the successor its last exchange here got) still exchanges at the tenant's /oauth/token. */
  exchanges(token: string, app?: 'mobile' | 'web'): Promise<boolean>;
  app(app?: 'mobile' | 'web'): ReturnType<typeof endUserApp>;
}

const apps = (name: 'mobile' | 'web') =>
  name === 'web'
    ? endUserApp(tenantUrl(), DEMO.clients.web.client_id, DEMO.clients.web.secret)
    : endUserApp(tenantUrl(), DEMO.clients.mobile.client_id);

/** The next demo end user, as a Customer. */
function nextDemoCustomer(): Customer {
  const user = demoEndUser(nextCustomer++);
  // A rotating token that exchanged is spent: the next check presents its successor, so a
  // polled "refused" means revoked, never "refused as a reuse of the token we just rotated".
  const successor = new Map<string, string>();
  return {
    ...user,
    login: (device, app = 'mobile', options = {}) => apps(app).login(user.email, device, options),
    exchanges: async (token, app = 'mobile') => {
      const current = successor.get(token) ?? token;
      const res = await apps(app).refresh(current);
      if (res.refreshToken && res.refreshToken !== current) successor.set(token, res.refreshToken);
      return res.status === 200;
    },
    app: (app = 'mobile') => apps(app),
  };
}

export const test = base.extend<{
  customer: Customer;
  secondCustomer: Customer;
  shot: (name: string) => Promise<void>;
  axe: () => Promise<void>;
}>({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's first parameter as a destructuring pattern
  baseURL: async ({}, use) => use(bffUrl()),
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's first parameter as a destructuring pattern
  customer: async ({}, use) => use(nextDemoCustomer()),
  /** Another end user, for journeys across users. */
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's first parameter as a destructuring pattern
  secondCustomer: async ({}, use) => use(nextDemoCustomer()),
  /** A screenshot of the screen, kept as a test artifact. */
  shot: async ({ page }, use, testInfo) => {
    await use(async (name) => screenshot(page, testInfo, name));
  },
  /** axe-core on the current screen: no serious or critical violation. */
  axe: async ({ page }, use) => {
    await use(async () => {
      // Evaluated through the DevTools protocol, so the page's CSP (no inline script) still holds.
      await page.evaluate(axeSource);
      const violations = await page.evaluate(async () => {
        const result = await (
          window as unknown as {
            axe: {
              run(): Promise<{
                violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[];
              }>;
            };
          }
        ).axe.run();
        return result.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      });
      expect(violations, `accessibility violations on ${page.url()}`).toEqual([]);
    });
  },
});

export async function screenshot(page: Page, testInfo: TestInfo, name: string) {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

/** Opens a user's tab from the Users search, as a support person would. */
export async function openUser(page: Page, customer: { email: string; name: string }, tab?: string) {
  await page.goto('/users');
  const box = page.getByRole('searchbox', { name: 'Search users' });
  await box.fill(customer.email);
  // Enter searches at once; the click waits for the results of this search, not the first
  // page's rows that the search is about to replace (a link clicked as it is swapped out for
  // the loading rows goes nowhere on a slow machine).
  await box.press('Enter');
  await expect(page).toHaveURL((url) => url.searchParams.get('q') === customer.email);
  const results = page.getByRole('table', { name: 'Users matching the search' });
  await expect(results).toHaveAttribute('aria-busy', 'false');
  await results.getByRole('link', { name: customer.name, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: customer.name })).toBeVisible();
  if (tab) await page.getByRole('navigation', { name: 'User sections' }).getByRole('link', { name: tab }).click();
}

/** The BFF's API, called from the page's session as the dashboard would (Origin and CSRF). */
export async function callApi(page: Page, method: string, path: string, body?: unknown) {
  const me = await page.request.get('/api/me');
  const csrf = me.ok() ? ((await me.json()) as { csrf_token: string }).csrf_token : '';
  return page.request.fetch(path, {
    method,
    headers: {
      origin: new URL(bffUrl()).origin,
      'x-csrf-token': csrf,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { data: JSON.stringify(body) } : {}),
  });
}
