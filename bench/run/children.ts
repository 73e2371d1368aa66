/** The bench's helpers in processes of their own: the load generator, the signing yardstick, the IP database. */
import { ROOT } from '@rtc/stack';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export type LoadResult = {
  requestsPerSecond: number;
  total: number;
  non2xx: number;
  errors: number;
  p50: number;
  p95: number;
  p99: number;
  status5xx: number;
};
/**
 * Runs the load generator in its own process. Asynchronously: this process must keep reading
 * the servers' log pipes, or they block writing to them (pipes are synchronous on Linux).
 */
export async function load(options: Record<string, unknown>): Promise<LoadResult> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'bench/load.ts', JSON.stringify(options)],
    { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
  );
  const result = JSON.parse(stdout) as LoadResult;
  if (result.errors > 0 || result.non2xx > 0)
    console.error(`  (${options.path}: ${result.non2xx} non-2xx answers, ${result.errors} connection errors)`);
  return result;
}
export type SignCeiling = { signaturesPerSecond: number; exchangesPerSecond: number; cores: number };
export async function signingCeiling(jwtsPerExchange: number): Promise<SignCeiling> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'bench/yardstick.ts', 'sign', JSON.stringify({ seconds: 3, jwtsPerExchange })],
    { cwd: ROOT },
  );
  return JSON.parse(stdout) as SignCeiling;
}

/** A load's outcome for a figure's note; `available`: the distinct tokens it had, if it ran past them. */
export const outcome = (r: LoadResult, available?: number) => {
  const ranOut =
    available !== undefined && r.total > available ? `; ONLY ${available} distinct tokens: the rest were unknown` : '';
  return `${r.total} requests, non-2xx ${r.non2xx}, p50 ${r.p50} ms, p99 ${r.p99} ms${ranOut}`;
};
export const progress = (line: string) => console.error(`[bench] ${line}`);

/** bench/ip-intel.ts in its own process: nothing else loaded, so its RSS is the database's. */
export async function ipDatabaseFigures(): Promise<{
  loadMs: number;
  rssAddedMb: number;
  lookupP50Us: number;
  lookupP99Us: number;
  lookups: number;
}> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', 'bench/ip-intel.ts'],
    { cwd: ROOT },
  );
  return JSON.parse(stdout);
}
