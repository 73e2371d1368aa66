/**
 * Enough of a browser to walk a sign-in across an app and the tenant over real sockets: a
 * cookie jar and redirects followed one hop at a time. Cookies are kept per host name and
 * path, not per port, as browsers keep them: an app and a tenant on two ports of 127.0.0.1
 * see each other's cookies, and neither may be confused by them.
 */
export class Browser {
  private readonly cookies = new Map<string, { value: string; path: string }>();

  private store(url: URL, res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      const path = attrs.find((a) => /^path=/i.test(a))?.slice(5) || '/';
      const key = `${url.hostname}|${path}|${name}`;
      const expired = attrs.some(
        (a) => /^max-age=(0|-\d+)$/i.test(a) || (/^expires=/i.test(a) && Date.parse(a.slice(8)) <= Date.now()),
      );
      if (expired) this.cookies.delete(key);
      else this.cookies.set(key, { value, path });
    }
  }

  private cookieHeader(url: URL): string {
    return [...this.cookies]
      .filter(
        ([key, c]) =>
          key.startsWith(`${url.hostname}|`) &&
          (url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`)),
      )
      .map(([key, c]) => `${key.split('|')[2]}=${c.value}`)
      .join('; ');
  }

  /** One request, no redirect followed; the answer's cookies are kept. */
  async fetch(input: string | URL, init: RequestInit = {}): Promise<Response> {
    const url = new URL(input);
    const headers = new Headers(init.headers);
    const cookie = this.cookieHeader(url);
    if (cookie) headers.set('cookie', cookie);
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    this.store(url, res);
    return res;
  }

  /** GET, following redirects; every URL visited is returned, the last one answered. */
  async navigate(input: string | URL, maxHops = 10): Promise<{ res: Response; url: URL; visited: URL[] }> {
    let url = new URL(input);
    const visited = [url];
    let res = await this.fetch(url);
    for (let hop = 0; res.status >= 300 && res.status < 400 && res.headers.has('location'); hop++) {
      if (hop === maxHops) throw new Error(`more than ${maxHops} redirects: ${visited.join(' -> ')}`);
      url = new URL(res.headers.get('location')!, url);
      visited.push(url);
      await res.body?.cancel();
      res = await this.fetch(url);
    }
    return { res, url, visited };
  }

  /** Fills in and posts the tenant's login form as a person would; returns where it redirects. */
  async postLogin(page: { res: Response; url: URL }, email: string, password: string): Promise<URL> {
    const html = await page.res.text();
    const form = /<form method="post" action="([^"]+)">/.exec(html);
    const tx = /name="tx" value="([^"]+)"/.exec(html);
    if (page.res.status !== 200 || !form || !tx)
      throw new Error(`not a login form (${page.res.status} at ${page.url}): ${html.slice(0, 300)}`);
    const res = await this.fetch(new URL(form[1]!, page.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ tx: tx[1]!, username: email, password }),
    });
    if (res.status !== 302)
      throw new Error(`the login form answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    return new URL(res.headers.get('location')!, page.url);
  }

  /** The login form posted, then its redirects followed. */
  async submitLogin(page: { res: Response; url: URL }, email: string, password: string) {
    return this.navigate(await this.postLogin(page, email, password));
  }
}
