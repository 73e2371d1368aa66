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
}

const url = z.url({ protocol: /^https?$/ });
const Env = z
  .object({
    BFF_PUBLIC_URL: url.default('http://localhost:4000'),
    AUTH0_DOMAIN: z.string().regex(/^[a-z0-9.-]+$/i, 'a host name such as acme.eu.auth0.com').optional(),
    MANAGEMENT_API_URL: url.optional(),
    MANAGEMENT_TOKEN_URL: url.optional(),
    MANAGEMENT_AUDIENCE: z.string().optional(),
    MANAGEMENT_CLIENT_ID: z.string().min(1),
    MANAGEMENT_CLIENT_SECRET: z.string().min(1),
    OIDC_ISSUER: url.optional(),
    OIDC_CLIENT_ID: z.string().min(1),
    OIDC_CLIENT_SECRET: z.string().min(1),
    OIDC_SCOPE: z.string().default('openid profile email'),
    ROLES_CLAIM: z.string().min(1).default('https://refresh-token-console/roles'),
    SESSION_SECRET: z.string().min(32, 'at least 32 characters'),
    SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(30),
    SESSION_ABSOLUTE_HOURS: z.coerce.number().int().min(1).max(24 * 7).default(12),
    BFF_DATA_DIR: z.string().default('.data/bff'),
    BFF_STATIC_DIR: z.string().optional(),
    TENANT_NAME: z.string().optional(),
    MANAGEMENT_429_RETRIES: z.coerce.number().int().min(0).max(10).default(3),
    DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'a postgres:// URL').optional(),
  })
  .refine((e) => e.AUTH0_DOMAIN || e.MANAGEMENT_API_URL, { message: 'Set AUTH0_DOMAIN, or MANAGEMENT_API_URL and MANAGEMENT_TOKEN_URL', path: ['AUTH0_DOMAIN'] });

/** Reads the environment; throws one readable error listing every problem. */
export function readConfig(env: Record<string, string | undefined>, extra: { staticDir?: string | null; embedded?: boolean } = {}): BffConfig {
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
    oidc: { issuer, clientId: e.OIDC_CLIENT_ID, clientSecret: e.OIDC_CLIENT_SECRET, rolesClaim: e.ROLES_CLAIM, scope: e.OIDC_SCOPE },
    sessionSecret: e.SESSION_SECRET,
    session: { idleSeconds: e.SESSION_IDLE_MINUTES * 60, absoluteSeconds: e.SESSION_ABSOLUTE_HOURS * 3600 },
    dataDir: e.BFF_DATA_DIR,
    staticDir: extra.staticDir === undefined ? (e.BFF_STATIC_DIR ?? null) : extra.staticDir,
    tenantName: e.TENANT_NAME ?? new URL(baseUrl).hostname,
    embedded: extra.embedded ?? false,
    rateLimit: { retries: e.MANAGEMENT_429_RETRIES, maxWaitMs: 10_000 },
    ...(e.DATABASE_URL ? { database: { url: e.DATABASE_URL } } : {}),
  };
}
