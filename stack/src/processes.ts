import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The repository's root: scripts are named from it. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Proc {
  child: ChildProcess;
  url: string;
  logs: string[];
  /** Resident memory of the process and its children (a tenant's workers), bytes (Linux). */
  rss(): number;
  kill9(): Promise<void>;
}

export const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

const readOr = (path: string, fallback: string) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback; // the process has just exited
  }
};
const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readOr(`/proc/${pid}/status`, ''))?.[1] ?? 0) * 1024;
/** The process and every descendant (Linux: /proc/PID/task/PID/children). */
const treeOf = (pid: number): number[] => [
  pid,
  ...readOr(`/proc/${pid}/task/${pid}/children`, '').split(' ').filter(Boolean).map(Number).flatMap(treeOf),
];

/** Starts a server script of the repo in its own Node process and waits for /health. */
export async function startProcess(
  script: string,
  args: string[],
  env: Record<string, string>,
  port: number,
  nodeArgs: string[] = [],
): Promise<Proc> {
  // TypeScript sources through the loader; a built script (apps/tenant/build.ts) as it is.
  const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = spawn(process.execPath, [...nodeArgs, ...loader, script, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  // The last 20,000 lines: a server under a long soak logs every request.
  const collect = (chunk: Buffer) => {
    logs.push(...chunk.toString().split('\n').filter(Boolean));
    if (logs.length > 25_000) logs.splice(0, logs.length - 20_000);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const proc: Proc = {
    child,
    url: `http://127.0.0.1:${port}`,
    logs,
    rss: () => treeOf(child.pid!).reduce((sum, pid) => sum + rssOf(pid), 0),
    kill9: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
  };
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`${script} exited early:\n${logs.join('\n')}`);
    if (
      await fetch(`${proc.url}/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return proc;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${script} did not start:\n${logs.join('\n')}`);
}

/** The tenant's server: its sources (`npm run tenant`), or as `npm run build` leaves it (apps/tenant/build.ts). */
export const TENANT_SERVER = { sources: 'apps/tenant/src/server.ts', built: 'apps/tenant/dist/server.mjs' } as const;

/**
 * The embedded tenant on a data directory: as `npm run tenant` runs it, or with `built` as it is
 * deployed (`npm run build` first), which is how the bench measures it.
 */
export async function startTenant(
  dataDir: string,
  port: number,
  env: Record<string, string> = {},
  options: { built?: boolean } = {},
) {
  return startProcess(
    options.built ? TENANT_SERVER.built : TENANT_SERVER.sources,
    ['--port', String(port), '--data-dir', dataDir, '--issuer', `http://127.0.0.1:${port}/`],
    env,
    port,
  );
}
