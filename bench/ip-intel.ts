/**
 * `node --expose-gc --import tsx bench/ip-intel.ts`: the offline IP database in a fresh
 * process, as the tenant and the BFF load it at start-up. Prints JSON: the load time (what it
 * adds to start-up), the resident memory it adds after a full GC, and the time of one lookup
 * (p50/p99 over addresses spread across IPv4 and IPv6). bench/run.ts reports these figures.
 */
import { openIpDatabase } from '@rtc/ip-intel';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc: the memory figure needs a full GC');
const settle = async () => {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

await settle();
const rssBefore = process.memoryUsage().rss;
const started = performance.now();
const db = openIpDatabase();
const loadMs = performance.now() - started;
await settle();
const rssAddedMb = (process.memoryUsage().rss - rssBefore) / 1048576;

// A deterministic spread: every /8 of IPv4 and a range of IPv6 prefixes in use, so the
// search walks the whole table rather than one warm path.
const addresses: string[] = [];
let x = 0x9e3779b9;
const next = () => (x = (Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0);
for (let i = 0; i < 20_000; i++) {
  const v = next();
  addresses.push(`${1 + ((v >>> 24) % 223)}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`);
  if (i % 4 === 0)
    addresses.push(
      `2${(next() & 0x3ff).toString(16).padStart(3, '0')}:${(next() & 0xffff).toString(16)}::${(next() & 0xffff).toString(16)}`,
    );
}
let found = 0;
for (const ip of addresses) if (db.lookup(ip)) found++; // warm-up (JIT)
const samples = new Float64Array(addresses.length * 3);
let k = 0;
for (let round = 0; round < 3; round++)
  for (const ip of addresses) {
    const t = process.hrtime.bigint();
    db.lookup(ip);
    samples[k++] = Number(process.hrtime.bigint() - t);
  }
samples.sort();
const at = (q: number) => (samples[Math.min(samples.length - 1, Math.floor(samples.length * q))] ?? Number.NaN) / 1000;

process.stdout.write(
  `${JSON.stringify({
    loadMs: Math.round(loadMs),
    rssAddedMb: Math.round(rssAddedMb * 10) / 10,
    lookupP50Us: Math.round(at(0.5) * 100) / 100,
    lookupP99Us: Math.round(at(0.99) * 100) / 100,
    lookups: samples.length,
    resolved: found,
    addresses: addresses.length,
    versions: db.versions,
  })}\n`,
);
