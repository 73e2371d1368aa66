/**
 * The load generator, run as its own process so it does not share a core's event loop with
 * the server: `tsx bench/load.ts '<json options>'` prints autocannon's result as JSON.
 * Each request can carry a distinct live refresh token, derived like the generator's.
 */
import autocannon, { type Request } from 'autocannon';
import { createHash, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { must } from './must.ts';

interface LoadOptions {
  url: string;
  path: string;
  method: 'GET' | 'POST' | 'DELETE';
  connections: number;
  durationSeconds: number;
  headers?: Record<string, string>;
  /** Form fields; `{token}` is replaced by the next generated token value. */
  form?: Record<string, string>;
  /** `cycle`: start again from `first` after this many (non-rotating tokens can be used again). */
  tokens?: { seed: string; first: number; step: number; cycle?: number };
  /** Requests per second over all connections (autocannon's overallRate); unset: as fast as answered. */
  ratePerSecond?: number;
  /** Send a fresh DPoP proof (RFC 9449, ES256, one key for the whole load) with every request, for this `htu`. */
  dpop?: { htu: string };
}

const options = JSON.parse(must(process.argv[2], 'the options (JSON)')) as LoadOptions;
const tokens = options.tokens;
let next = tokens?.first ?? 0;
let used = 0;
const tokenValue = () => {
  if (!tokens) throw new Error('a form asks for {token}, and the options give no tokens');
  const value = createHash('sha256').update(`${tokens.seed}:${next}`).digest('base64url');
  next += tokens.step;
  if (tokens.cycle && ++used % tokens.cycle === 0) next = tokens.first;
  return value;
};

/**
 * A DPoP proof per request, signed synchronously (autocannon's setupRequest cannot wait): the
 * JWS by hand over node:crypto, as a client library would make it, a new jti and iat each time.
 */
const dpopProof = (() => {
  if (!options.dpop) return undefined;
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = encode({ typ: 'dpop+jwt', alg: 'ES256', jwk: publicKey.export({ format: 'jwk' }) });
  const htu = options.dpop.htu;
  return () => {
    const input = `${header}.${encode({ jti: randomUUID(), htm: options.method, htu, iat: Math.floor(Date.now() / 1000) })}`;
    return `${input}.${sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
  };
})();

const form = options.form;
const result = await autocannon({
  url: options.url,
  connections: options.connections,
  duration: options.durationSeconds,
  ...(options.ratePerSecond ? { overallRate: options.ratePerSecond } : {}),
  requests: [
    {
      method: options.method,
      path: options.path,
      headers: { ...(options.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...options.headers },
      ...(form
        ? {
            setupRequest: (req: Request) => {
              const fields = Object.fromEntries(
                Object.entries(form).map(([k, v]) => [k, v === '{token}' ? tokenValue() : v]),
              );
              req.body = new URLSearchParams(fields).toString();
              if (dpopProof) req.headers = { ...req.headers, DPoP: dpopProof() };
              return req;
            },
          }
        : {}),
    },
  ],
});
process.stdout.write(
  JSON.stringify({
    requestsPerSecond: result.requests.average,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    p50: result.latency.p50,
    // autocannon reports p97.5 rather than p95: the stricter of the two.
    p95: result.latency.p97_5,
    p99: result.latency.p99,
    status5xx: Object.entries(result.statusCodeStats ?? {}).reduce(
      (sum, [code, stat]) => sum + (Number(code) >= 500 ? (stat as { count: number }).count : 0),
      0,
    ),
  }),
);
