import { z } from 'zod';

/**
 * The BFF's configuration, from the environment, checked once at start-up. Point it at a
 * real Auth0 tenant with AUTH0_DOMAIN (or the MANAGEMENT_* URLs) and the credentials of a
 * machine-to-machine application; with none of them, `npm start` runs the embedded tenant.
 */
export interface BffConfig {
  publicUrl: string;
  management: { baseUrl: string; tokenUrl: string; audience: string; clientId: string; clientSecret: string };
  oidc: { issuer: string; clientId: string; clientSecret: string; rolesClaim: string; scope: string };
  sessionSecret: string;
  session: { idleSeconds: number; absoluteSeconds: number };
  dataDir: string;
  /** Built dashboard to serve; null to serve the API only. */
  staticDir: string | null;
  tenantName: string;
  embedded: boolean;
  /** Retries of a Management API 429 before giving up, and the longest wait honoured. */
  rateLimit: { retries: number; maxWaitMs: number };
  /** PostgreSQL for the audit log and ended sessions, shared by every BFF instance; SQLite in dataDir otherwise. */
  database?: { url: string; schema?: string };
  /** Hops of X-Forwarded-For to trust (proxies you run in front of the console); 0 by default. */
  trustProxy?: number;
  /**
   * The most a search's result set may hold to be revoked at once (SEARCH_REVOKE_MAX_TOKENS,
   * default 10,000; SEARCH_REVOKE_MAX_SESSIONS, default 1,000: one Management API call each).
   */
  search?: { tokenLimit: number; sessionLimit: number };
  /**
   * What support may revoke from a search: a result of more than maxTokens tokens
   * (SEARCH_REVOKE_SUPPORT_MAX_TOKENS, default 1,000), or holding more than maxSharePercent of
   * an application's live tokens (SEARCH_REVOKE_SUPPORT_MAX_PERCENT, default 50) or all of
   * them, is an admin's.
   */
  supportRevoke?: SupportRevokeLimits;
  /**
   * Revoking an application's tokens, a search revocation of over 1,000 tokens and changing a
   * tenant setting need a staff sign-in at most this old (STEP_UP_MAX_AGE_MINUTES, default 10);
   * a search revocation is among them above searchTokens tokens (STEP_UP_SEARCH_TOKENS, default 1,000).
   */
  stepUp?: { maxAgeSeconds: number; searchTokens?: number };
}

export interface SupportRevokeLimits {
  maxTokens: number;
  maxSharePercent: number;
}

/** localhost, 127.0.0.0/8 and ::1: a URL only this machine can reach. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * A rough, deliberately pessimistic estimate of a secret's entropy in bits: the Shannon
 * entropy of its characters times the length of its shortest repeating unit, so
 * "passwordpassword..." or "0123456789" repeated counts once. Random base64 of 32 bytes scores
 * about 230; what scores under 128 is refused.
 */
export function estimatedSecretBits(secret: string): number {
  let period = secret.length;
  for (let p = 1; p <= secret.length / 2; p++) {
    if (secret.length % p === 0 && secret.slice(0, p).repeat(secret.length / p) === secret) {
      period = p;
      break;
    }
  }
  const counts = new Map<string, number>();
  for (const ch of secret) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let perChar = 0;
  for (const n of counts.values()) perChar -= (n / secret.length) * Math.log2(n / secret.length);
  return perChar * period;
}

export const MIN_SECRET_BITS = 128;

const url = z.url({ protocol: /^https?$/ });
const Env = z
  .object({
    BFF_PUBLIC_URL: url.default('http://localhost:4000'),
    AUTH0_DOMAIN: z
      .string()
      .regex(/^[a-z0-9.-]+$/i, 'a host name such as acme.eu.auth0.com')
      .optional(),
    MANAGEMENT_API_URL: url.optional(),
    MANAGEMENT_TOKEN_URL: url.optional(),
    MANAGEMENT_AUDIENCE: z.string().optional(),
    MANAGEMENT_CLIENT_ID: z.string().min(1),
    MANAGEMENT_CLIENT_SECRET: z.string().min(1),
    OIDC_ISSUER: url.optional(),
    OIDC_CLIENT_ID: z.string().min(1),
    OIDC_CLIENT_SECRET: z.string().min(1),
    // offline_access: the refresh token lets the BFF re-check the staff member's role every 15 minutes.
    OIDC_SCOPE: z.string().default('openid profile email offline_access'),
    ROLES_CLAIM: z.string().min(1).default('https://refresh-token-console/roles'),
    SESSION_SECRET: z
      .string()
      .min(32, 'at least 32 characters')
      .refine(
        (v) => estimatedSecretBits(v) >= MIN_SECRET_BITS,
        'too predictable (under 128 bits of estimated entropy): use e.g. `openssl rand -base64 32`',
      ),
    SESSION_IDLE_MINUTES: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(30),
    SESSION_ABSOLUTE_HOURS: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 7)
      .default(12),
    BFF_DATA_DIR: z.string().default('.data/bff'),
    BFF_STATIC_DIR: z.string().optional(),
    TENANT_NAME: z.string().optional(),
    MANAGEMENT_429_RETRIES: z.coerce.number().int().min(0).max(10).default(3),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'a postgres:// URL')
      .optional(),
    SEARCH_REVOKE_MAX_TOKENS: z.coerce.number().int().min(1).max(100_000).default(10_000),
    SEARCH_REVOKE_MAX_SESSIONS: z.coerce.number().int().min(1).max(10_000).default(1_000),
    SEARCH_REVOKE_SUPPORT_MAX_TOKENS: z.coerce.number().int().min(1).max(100_000).default(1_000),
    SEARCH_REVOKE_SUPPORT_MAX_PERCENT: z.coerce.number().min(0).max(100).default(50),
    STEP_UP_MAX_AGE_MINUTES: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(10),
    STEP_UP_SEARCH_TOKENS: z.coerce.number().int().min(0).max(100_000).default(1_000),
    BFF_TRUST_PROXY: z
      .string()
      .regex(/^\d{1,2}$/, 'a number of proxy hops (0 to 10)')
      .default('0')
      .transform(Number)
      .pipe(z.number().max(10)),
  })
  .refine((e) => e.BFF_PUBLIC_URL.startsWith('https:') || isLoopbackHost(new URL(e.BFF_PUBLIC_URL).hostname), {
    message: 'must be https: (http: only for localhost): session cookies would travel in clear',
    path: ['BFF_PUBLIC_URL'],
  })
  .refine((e) => e.AUTH0_DOMAIN || e.MANAGEMENT_API_URL, {
    message: 'Set AUTH0_DOMAIN, or MANAGEMENT_API_URL and MANAGEMENT_TOKEN_URL',
    path: ['AUTH0_DOMAIN'],
  });

/** Reads the environment; throws one readable error listing every problem. */
export function readConfig(
  env: Record<string, string | undefined>,
  extra: { staticDir?: string | null; embedded?: boolean } = {},
): BffConfig {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join('.') || 'environment'}: ${i.message}`).join('\n');
    throw new Error(`Invalid BFF configuration:\n${problems}`);
  }
  const e = parsed.data;
  const domainUrl = e.AUTH0_DOMAIN ? `https://${e.AUTH0_DOMAIN}` : undefined;
  const baseUrl = (e.MANAGEMENT_API_URL ?? `${domainUrl}/api/v2`).replace(/\/$/, '');
  const issuer = e.OIDC_ISSUER ?? `${domainUrl ?? new URL(baseUrl).origin}/`;
  return {
    publicUrl: e.BFF_PUBLIC_URL.replace(/\/$/, ''),
    management: {
      baseUrl,
      tokenUrl: e.MANAGEMENT_TOKEN_URL ?? `${domainUrl ?? new URL(baseUrl).origin}/oauth/token`,
      audience: e.MANAGEMENT_AUDIENCE ?? `${baseUrl}/`,
      clientId: e.MANAGEMENT_CLIENT_ID,
      clientSecret: e.MANAGEMENT_CLIENT_SECRET,
    },
    oidc: {
      issuer,
      clientId: e.OIDC_CLIENT_ID,
      clientSecret: e.OIDC_CLIENT_SECRET,
      rolesClaim: e.ROLES_CLAIM,
      scope: e.OIDC_SCOPE,
    },
    sessionSecret: e.SESSION_SECRET,
    session: { idleSeconds: e.SESSION_IDLE_MINUTES * 60, absoluteSeconds: e.SESSION_ABSOLUTE_HOURS * 3600 },
    dataDir: e.BFF_DATA_DIR,
    staticDir: extra.staticDir === undefined ? (e.BFF_STATIC_DIR ?? null) : extra.staticDir,
    tenantName: e.TENANT_NAME ?? new URL(baseUrl).hostname,
    embedded: extra.embedded ?? false,
    rateLimit: { retries: e.MANAGEMENT_429_RETRIES, maxWaitMs: 10_000 },
    ...(e.DATABASE_URL ? { database: { url: e.DATABASE_URL } } : {}),
    trustProxy: e.BFF_TRUST_PROXY,
    search: { tokenLimit: e.SEARCH_REVOKE_MAX_TOKENS, sessionLimit: e.SEARCH_REVOKE_MAX_SESSIONS },
    supportRevoke: {
      maxTokens: e.SEARCH_REVOKE_SUPPORT_MAX_TOKENS,
      maxSharePercent: e.SEARCH_REVOKE_SUPPORT_MAX_PERCENT,
    },
    stepUp: { maxAgeSeconds: e.STEP_UP_MAX_AGE_MINUTES * 60, searchTokens: e.STEP_UP_SEARCH_TOKENS },
  };
}
