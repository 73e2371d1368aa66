/**
 * The machine's ceilings, measured in the same run as the figures they judge, so a ratio to
 * them means the same on any machine:
 *
 * - `tsx bench/yardstick.ts sign '{"seconds":3,"jwtsPerExchange":2}'` signs RS256 JWTs shaped
 *   like the tenant's (an access token and an ID token of a refresh exchange) on every core,
 *   exactly as the tenant does (node:crypto's callback `sign`, which runs on libuv's thread
 *   pool), with enough in flight to keep every core busy, and prints signatures per second
 *   and the exchanges per second that leaves room for: no exchange can be faster.
 * - `tsx bench/yardstick.ts http '{"port":P,"workers":N}'` answers every request with a small
 *   JSON body after reading it, from N processes sharing the port (node:cluster), and nothing
 *   else: the HTTP ceiling of this machine under the same load generator.
 */
import cluster from 'node:cluster';
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { createServer } from 'node:http';
import { availableParallelism } from 'node:os';

const [mode, json = '{}'] = process.argv.slice(2);
const options = JSON.parse(json) as { seconds?: number; jwtsPerExchange?: number; port?: number; workers?: number };

if (mode === 'sign') {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = b64({ alg: 'RS256', typ: 'JWT', kid: 'yardstick' });
  const now = Math.floor(Date.now() / 1000);
  // The payload of a demo ID token: the size of what is signed matters little, its shape not at all.
  const payload = (n: number) =>
    b64({
      iss: 'http://127.0.0.1:3000/',
      sub: 'auth0|user00001',
      aud: 'client',
      iat: now,
      exp: now + 36_000,
      sid: randomBytes(12).toString('base64url'),
      n,
    });
  const seconds = options.seconds ?? 3;
  const inFlight = availableParallelism() * 4;
  let signed = 0;
  let n = 0;
  const until = performance.now() + seconds * 1000;
  const started = performance.now();
  await new Promise<void>((done) => {
    let running = 0;
    const next = () => {
      if (performance.now() >= until) {
        if (running === 0) done();
        return;
      }
      running++;
      sign('sha256', Buffer.from(`${header}.${payload(n++)}`), privateKey, () => {
        running--;
        signed++;
        next();
      });
    };
    for (let i = 0; i < inFlight; i++) next();
  });
  const perSecond = signed / ((performance.now() - started) / 1000);
  process.stdout.write(
    JSON.stringify({
      signaturesPerSecond: Math.round(perSecond),
      exchangesPerSecond: Math.round(perSecond / (options.jwtsPerExchange ?? 2)),
      cores: availableParallelism(),
    }),
  );
} else if (mode === 'http') {
  const workers = options.workers ?? 1;
  if (cluster.isPrimary && workers > 1) {
    for (let i = 0; i < workers; i++) cluster.fork();
  } else {
    const body = JSON.stringify({ status: 'ok' });
    createServer((req, res) => {
      req.resume();
      req.on('end', () =>
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body),
      );
    }).listen(options.port, '127.0.0.1');
  }
} else {
  console.error('usage: tsx bench/yardstick.ts sign|http <json options>');
  process.exit(2);
}
