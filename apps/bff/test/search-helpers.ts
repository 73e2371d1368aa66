import { DEMO, demoEndUser, endUserApp, json, startTestStack, type StaffClient, type TestStack } from '@rtc/testkit';
import { expect } from 'vitest';

/**
 * What the search-across-users tests share: a stack whose tenant sits behind one trusted proxy
 * (so each end user's app comes from the address its X-Forwarded-For names), the bodies the
 * console answers, and the calls a support person and an end user's app make.
 */

export interface Counts {
  tokens: number;
  users: number;
  devices: number;
  limited?: boolean;
}
export interface Impact {
  filter: Record<string, string>;
  totals: Counts;
  first_users: { user_id: string; email: string | null; tokens: number }[];
  digest: string;
  over_limit: boolean;
}
export type Row = {
  id: string;
  user: { user_id: string; email: string | null; name: string | null };
  application: { client_id: string; name: string };
  device_name: string | null;
  initial: { ip: string | null; agent: string | null; place: unknown };
  last: { ip: string | null };
};

export const APP_AGENT = 'AcmeMobile/4.2.1 (iPhone; iOS 18.1)';

/** The stack with an admin, a support person and a viewer signed in. */
export async function startSearchStack() {
  const stack: TestStack = await startTestStack({ tenant: { options: { trustProxy: 1 } } });
  const [admin, support, viewer] = await Promise.all([
    stack.signIn('admin'),
    stack.signIn('support'),
    stack.signIn('viewer'),
  ]);
  return { stack, admin, support, viewer };
}

export const searchCalls = (seen: string[]) => seen.filter((s) => s.endsWith('/search'));

/** The calls, read against the stack and support person the test file started (`env` is read at each call). */
export function searchHelpers(env: () => { stack: TestStack; support: StaffClient }) {
  const mobile = () => endUserApp(env().stack.tenantUrl);
  const web = () => endUserApp(env().stack.tenantUrl, DEMO.clients.web.client_id, DEMO.clients.web.secret);
  const search = async (staff: StaffClient, params: Record<string, string>) => {
    const res = await staff.api('GET', `/api/search/refresh-tokens?${new URLSearchParams(params)}`);
    expect(res.status, await res.clone().text()).toBe(200);
    return (await json(res)) as {
      tokens: Row[];
      next: string | null;
      totals: Counts | null;
      unavailable: string | null;
    };
  };
  const preview = async (filter: Record<string, string>, staff = env().support): Promise<Impact> => {
    const res = await staff.api('POST', '/api/search/refresh-tokens/impact', { filter });
    expect(res.status, await res.clone().text()).toBe(200);
    return json(res);
  };
  const revoke = (
    filter: Record<string, string>,
    shown: Impact | undefined,
    confirm = 'REVOKE',
    staff = env().support,
  ) =>
    staff.api('POST', '/api/search/refresh-tokens/revoke', {
      filter,
      confirm,
      ...(shown ? { expected: { tokens: shown.totals.tokens, digest: shown.digest } } : {}),
    });
  /** The tenant's own answer to a refresh-token exchange (the demo mobile app is public: no secret). */
  const exchange = async (refreshToken: string, clientId: string = DEMO.clients.mobile.client_id, secret?: string) => {
    const res = await fetch(`${env().stack.tenantUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: clientId,
        refresh_token: refreshToken,
        ...(secret ? { client_secret: secret } : {}),
      }),
    });
    return { status: res.status, error: ((await res.json()) as { error?: string }).error };
  };
  /** Tokens of `count` logins from one address, 10 at a time. */
  async function tokensFrom(address: string, count: number, userNumber: number, device: string) {
    const { email } = demoEndUser(userNumber);
    const tokens: string[] = [];
    for (let at = 0; at < count; at += 10) {
      tokens.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(10, count - at) }, (_, i) =>
            mobile().login(email, `${device} ${at + i}`, { from: address }),
          ),
        )),
      );
    }
    return tokens;
  }
  return { mobile, web, search, preview, revoke, exchange, tokensFrom };
}
