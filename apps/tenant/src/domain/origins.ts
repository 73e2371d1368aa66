import { getDomain } from 'tldts';
import type { Clock } from '../clock.ts';
import type { ClientRecord } from './model.ts';

/**
 * Browser origins (RFC 6454) a client registered, as Auth0 reads them: `web_origins` (Allowed
 * Web Origins: web_message responses and CORS), `allowed_origins` (Allowed Origins (CORS)),
 * and the origin of each callback URL ("by default, all your callback URLs will be allowed").
 * A registration may hold one wildcard label, `https://*.example.com`: any one subdomain
 * label, on that scheme and port.
 */

/**
 * Userinfo (or a backslash, which browsers read as a slash) in a URL's authority: the host is
 * then not what a reader sees (`https://*.example.com@evil.org` is evil.org). Refused in every
 * registration, and a stored one grants nothing.
 */
export function hasUserinfo(text: string): boolean {
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(text)?.[1];
  return authority !== undefined && /[@\\]/.test(authority);
}

/**
 * Whether `*.{host}` would cover sites of different owners: `host` is a public suffix (`com`,
 * `co.uk`, and the private ones such as `github.io`, from the Public Suffix List as the tldts
 * package ships it), or has fewer than two labels.
 */
export function wildcardTooBroad(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return name.split('.').length < 2 || getDomain(name, { allowPrivateDomains: true }) === null;
}

/**
 * The origin a browser would send for `text`, when `text` is exactly one: lowercase scheme
 * and host, no default port, no path (`https://a.test/` is not an origin, nor is `null`).
 */
export function serializedOrigin(text: string): string | undefined {
  if (text.length > 2000) return undefined;
  try {
    const url = new URL(text);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === text ? text : undefined;
  } catch {
    return undefined;
  }
}

/** `https://*.example.com:8443`: the registration an origin matches through its first label. */
function wildcardForm(origin: string): string | undefined {
  const match = /^(https?:\/\/)[^.:/]+(\.[^:/]+)(:\d+)?$/.exec(origin);
  return match ? `${match[1]}*${match[2]}${match[3] ?? ''}` : undefined;
}

/**
 * A registered URL's origin, normalized as browsers serialize origins; a wildcard label stays
 * `*`. Custom schemes (native callbacks) have no browser origin, nor does a registration with
 * userinfo or a wildcard over a public suffix: undefined.
 */
function registeredOrigin(text: string): string | undefined {
  const prefix = /^(https?):\/\/(\*\.)?([^/?#]+)/i.exec(text);
  // Rows stored before userinfo and broad wildcards were refused grant nothing.
  if (!prefix || hasUserinfo(text)) return undefined;
  try {
    const url = new URL(`${prefix[1]}://${prefix[2] ? 'wildcard.' : ''}${prefix[3]}`);
    if (!prefix[2]) return url.origin;
    return wildcardTooBroad(url.hostname.slice('wildcard.'.length))
      ? undefined
      : url.origin.replace('://wildcard.', '://*.');
  } catch {
    return undefined;
  }
}

/** A set of registrations an origin is checked against. */
export class OriginSet {
  private readonly entries = new Set<string>();
  add(registered: Iterable<string>): this {
    for (const text of registered) {
      const origin = registeredOrigin(text);
      if (origin) this.entries.add(origin);
    }
    return this;
  }
  /** The browser's origin, if it is well formed and registered here (exactly or by its wildcard). */
  allows(origin: string): boolean {
    const exact = serializedOrigin(origin);
    if (!exact) return false;
    if (this.entries.has(exact)) return true;
    const wildcard = wildcardForm(exact);
    return wildcard !== undefined && this.entries.has(wildcard);
  }
}

/** Where a client's web_message responses may be posted: its Allowed Web Origins only. */
export const webMessageOrigins = (client: Pick<ClientRecord, 'web_origins'>) =>
  new OriginSet().add(client.web_origins ?? []);

/** The origins whose browser requests a client's registrations allow (CORS). */
export const corsOrigins = (
  client: Pick<ClientRecord, 'web_origins' | 'allowed_origins' | 'callbacks'>,
  into = new OriginSet(),
) =>
  into
    .add(client.web_origins ?? [])
    .add(client.allowed_origins ?? [])
    .add(client.callbacks);

/** How long a process trusts its copy of the registered origins. */
const TTL_MS = 2000;

/**
 * Every client's CORS origins together: a preflight carries no client_id, so an origin is
 * allowed when any client registered it (as at Auth0, whose CORS answer names no client).
 *
 * Cached per process: a preflight precedes every token request of a browser app, and reading
 * every client for each would cost a walk of the clients table per request. The store is
 * shared by worker processes and instances and tells none of them when a client changes, so
 * the copy lives 2 s at most: a change made through another process is seen within 2 s, and
 * a burst of preflights costs one read of the clients every 2 s. A change made through this
 * process (`forget()`, called by the Management API's client routes) is seen at once.
 */
export class RegisteredOrigins {
  private current: { origins: OriginSet; until: number } | undefined;
  private loading: Promise<OriginSet> | undefined;
  private generation = 0;

  constructor(
    private readonly store: { listClients(page: number, perPage: number): Promise<{ items: ClientRecord[] }> },
    private readonly clock: Clock,
  ) {}

  async allows(origin: string): Promise<boolean> {
    if (!serializedOrigin(origin)) return false;
    const now = this.clock.now();
    if (this.current && this.current.until > now) return this.current.origins.allows(origin);
    this.loading ??= this.load(now);
    return (await this.loading).allows(origin);
  }

  /** Drops the copy: the next check reads the clients again. */
  forget(): void {
    this.generation++;
    this.current = undefined;
    this.loading = undefined;
  }

  private async load(now: number): Promise<OriginSet> {
    const generation = this.generation;
    try {
      const origins = new OriginSet();
      for (let page = 0; ; page++) {
        const { items } = await this.store.listClients(page, 100);
        for (const client of items) corsOrigins(client, origins);
        if (items.length < 100) break;
      }
      // A client written while this read ran may be missing from it: keep it for this check only.
      if (generation === this.generation) this.current = { origins, until: now + TTL_MS };
      return origins;
    } finally {
      if (generation === this.generation) this.loading = undefined;
    }
  }
}
