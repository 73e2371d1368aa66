import { DEMO } from '@rtc/tenant';

/**
 * An end user's app against the tenant, as a real client would be: the password grant on a
 * named device for a refresh token, and refresh-token exchanges.
 */
export function endUserApp(tenantUrl: string, clientId: string = DEMO.clients.mobile.client_id, clientSecret?: string) {
  const post = (path: string, form: Record<string, string>) =>
    fetch(`${tenantUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: clientId, ...(clientSecret ? { client_secret: clientSecret } : {}), ...form }),
    });
  return {
    /** Signs in on `device`; returns the refresh token. */
    async login(email: string, device: string, options: { audience?: string; scope?: string } = {}): Promise<string> {
      const res = await post('/oauth/token', {
        grant_type: 'password',
        username: email,
        password: DEMO.endUserPassword,
        scope: options.scope ?? 'openid profile offline_access',
        device,
        ...(options.audience ? { audience: options.audience } : {}),
      });
      if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { refresh_token: string }).refresh_token;
    },
    /** One exchange: the status, and the new refresh token when the client rotates. */
    async refresh(refreshToken: string): Promise<{ status: number; refreshToken?: string }> {
      const res = await post('/oauth/token', { grant_type: 'refresh_token', refresh_token: refreshToken });
      const body = (await res.json()) as { refresh_token?: string };
      return { status: res.status, ...(body.refresh_token ? { refreshToken: body.refresh_token } : {}) };
    },
    revoke: (token: string) => post('/oauth/revoke', { token }),
  };
}
