import { createHash, randomBytes } from 'node:crypto';
import type { TestTenant } from './fixtures.ts';

/** A PKCE pair (RFC 7636, S256). */
export function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** A minimal cookie jar for in-process requests: enough for the login form and SSO. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();
  store(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (/max-age=0/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** Walks /authorize and the login form like a browser; returns the redirect's URL. */
export async function authorize(
  t: TestTenant,
  params: Record<string, string>,
  credentials: { username: string; password: string } | null,
  jar = new CookieJar(),
): Promise<{ location: URL; jar: CookieJar; loginPage?: string }> {
  const res = await t.tenant.app.request(`/authorize?${new URLSearchParams(params)}`, {
    headers: { cookie: jar.header() },
  });
  jar.store(res);
  if (res.status === 302) return { location: new URL(res.headers.get('location')!), jar };
  const page = await res.text();
  if (res.status !== 200 || !credentials) throw new Error(`authorize answered ${res.status}: ${page.slice(0, 300)}`);
  const tx = /name="tx" value="([^"]+)"/.exec(page)?.[1];
  if (!tx) throw new Error('no login transaction in the page');
  const login = await t.tenant.app.request('/u/login', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
    body: new URLSearchParams({ tx, ...credentials }).toString(),
  });
  jar.store(login);
  if (login.status !== 302) return { location: new URL('about:blank'), jar, loginPage: await login.text() };
  return { location: new URL(login.headers.get('location')!), jar };
}
