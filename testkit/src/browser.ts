/**
 * A fetch with a cookie jar and manual redirects: enough of a browser to walk an OpenID
 * Connect sign-in across two origins over real HTTP. Cookies are kept per host and path.
 */
export class Browser {
  private readonly cookies = new Map<string, { value: string; path: string }>();

  private key(host: string, name: string) {
    return `${host}|${name}`;
  }

  private store(url: URL, res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      const path = attrs.find((a) => /^path=/i.test(a))?.slice(5) ?? '/';
      const expired = attrs.some(
        (a) => /^max-age=0$/i.test(a) || (/^expires=/i.test(a) && Date.parse(a.slice(8)) < Date.now()),
      );
      if (expired || value === '') this.cookies.delete(this.key(url.host, name));
      else this.cookies.set(this.key(url.host, name), { value, path });
    }
  }

  cookieHeader(url: URL): string {
    return [...this.cookies]
      .filter(([key, c]) => key.startsWith(`${url.host}|`) && url.pathname.startsWith(c.path))
      .map(([key, c]) => `${key.split('|')[1]}=${c.value}`)
      .join('; ');
  }

  /** The raw value of a cookie, to copy into another jar (a stolen cookie). */
  cookie(host: string, name: string): string | undefined {
    return this.cookies.get(this.key(host, name))?.value;
  }

  setCookie(host: string, name: string, value: string): void {
    this.cookies.set(this.key(host, name), { value, path: '/' });
  }

  async fetch(input: string | URL, init: RequestInit = {}): Promise<Response> {
    const url = new URL(input);
    const headers = new Headers(init.headers);
    const cookie = this.cookieHeader(url);
    if (cookie) headers.set('cookie', cookie);
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    this.store(url, res);
    return res;
  }

  /** Follows redirects (GET), returning the last response and its URL. */
  async navigate(input: string | URL, init: RequestInit = {}, maxHops = 10): Promise<{ res: Response; url: URL }> {
    let url = new URL(input);
    let res = await this.fetch(url, init);
    for (let hop = 0; hop < maxHops && res.status >= 300 && res.status < 400 && res.headers.get('location'); hop++) {
      url = new URL(res.headers.get('location')!, url);
      await res.body?.cancel();
      res = await this.fetch(url);
    }
    return { res, url };
  }
}
