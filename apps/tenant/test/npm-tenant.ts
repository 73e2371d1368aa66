import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

/** The repository's root, where the README's `npm run tenant` commands run. */
export const ROOT = resolve(import.meta.dirname, '../../..');

/** A port nobody listens on now, of 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

/**
 * `npm run tenant -- ...args` from the repository's root, as the README writes it, with none
 * of the tenant's variables from the caller's shell (only the command line speaks). Resolves
 * once `until` appears on its stderr (the banner), with a way to stop its whole process group.
 */
export async function startNpmTenant(
  args: string[],
  until: (banner: string) => boolean,
): Promise<{ banner: string; stop(): void }> {
  const child = spawn('npm', ['run', '--silent', 'tenant', '--', ...args], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: Object.fromEntries(
      Object.entries(process.env).filter(
        ([name]) => !name.startsWith('TENANT_') && name !== 'DATA_DIR' && name !== 'DATABASE_URL',
      ),
    ),
  });
  const stop = () => {
    try {
      // The whole process group: npm, the workspace npm, tsx and node.
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  let banner = '';
  await new Promise<void>((done, fail) => {
    child.stderr.on('data', (chunk) => {
      banner += chunk;
      if (until(banner)) done();
    });
    child.on('exit', (code) => fail(new Error(`the tenant exited (${code}):\n${banner}`)));
  }).catch((err: unknown) => {
    stop();
    throw err;
  });
  return { banner, stop };
}
