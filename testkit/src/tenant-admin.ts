import { DEMO } from '@rtc/stack';

/**
 * The embedded tenant's Management API as a test's own setup uses it, with the demo's
 * machine-to-machine application: unique data per test, made through the API a customer uses.
 */
async function managementToken(tenantUrl: string): Promise<string> {
  const res = await fetch(`${tenantUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: DEMO.clients.management.client_id,
      client_secret: DEMO.clients.management.secret,
      audience: `${tenantUrl}/api/v2/`,
    }),
  });
  if (res.status !== 200) throw new Error(`management token: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** One Management API v2 call to the embedded tenant, as the demo's machine-to-machine application; throws on an error status. */
export async function managementCall<T>(tenantUrl: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${tenantUrl}/api/v2${path}`, {
    method,
    headers: { authorization: `Bearer ${await managementToken(tenantUrl)}`, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  // A DELETE answers 202 or 204 with no body.
  return (text ? JSON.parse(text) : undefined) as T;
}

/**
 * A new confidential application (a regular web app with a secret) whose users sign in with
 * the password grant and hold refresh tokens, and which may also call the demo API on its own
 * (client_credentials): what a leaked secret exposes.
 */
export async function createConfidentialApp(
  tenantUrl: string,
  name: string,
): Promise<{ client_id: string; client_secret: string; name: string }> {
  const client = await managementCall<{ client_id: string; client_secret: string }>(tenantUrl, 'POST', '/clients', {
    name,
    app_type: 'regular_web',
    token_endpoint_auth_method: 'client_secret_post',
    grant_types: ['password', 'refresh_token', 'client_credentials'],
  });
  await managementCall(tenantUrl, 'POST', '/client-grants', {
    client_id: client.client_id,
    audience: DEMO.api.identifier,
    scope: ['read:orders'],
  });
  return { ...client, name };
}

/** The tenant's answer to the application calling the demo API on its own behalf with this secret. */
export async function clientCredentials(
  tenantUrl: string,
  clientId: string,
  clientSecret: string,
): Promise<{ status: number; error?: string }> {
  const res = await fetch(`${tenantUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
      audience: DEMO.api.identifier,
    }),
  });
  const body = (await res.json()) as { error?: string };
  return { status: res.status, ...(body.error ? { error: body.error } : {}) };
}
