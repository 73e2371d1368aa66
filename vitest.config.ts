import { availableParallelism } from 'node:os';
import pg from 'pg';
import { defineConfig } from 'vitest/config';

const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Is PostgreSQL there? If not, its runs are reported as skipped, with this reason. */
async function postgresUnavailable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (err) {
    return `no PostgreSQL at ${TEST_DATABASE_URL.replace(/\/\/[^@]*@/, '//')} (${(err as Error).message}); set TEST_DATABASE_URL`;
  } finally {
    await client.end().catch(() => {});
  }
}

const tenant = {
  root: './apps/tenant',
  include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  exclude: ['**/*.postgres.test.ts', '**/node_modules/**'],
  testTimeout: 30_000,
  hookTimeout: 60_000,
};
const bff = {
  root: './apps/bff',
  include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  exclude: ['**/*.postgres.test.ts', '**/node_modules/**'],
  testTimeout: 30_000,
  hookTimeout: 60_000,
};
const LIBRARIES = ['contracts', 'db', 'http-edge', 'ip-intel', 'request-body'];
const onPostgres = { TEST_STORE: 'postgres', TEST_DATABASE_URL };

export default defineConfig(async () => {
  const skip = await postgresUnavailable();
  return {
    test: {
      // Vitest's default is the number of cores minus one, a single worker on a 2-core machine, yet
      // most of a test's time here is spent waiting: on sockets, child processes, Chromium, fsync and
      // PostgreSQL. One worker more than the cores keeps both cores busy: on the 2-core CI machine the
      // whole run took 486 s with 3 workers, and 845 s with 1 (that run shared the machine with a few
      // small test runs). Every test passes with 3; timeouts stay generous for a busy machine.
      maxWorkers: availableParallelism() + 1,
      projects: [
        { test: { name: 'tenant', ...tenant } },
        { test: { name: 'bff', ...bff } },
        // Every library and tool keeps its tests beside its sources: one project each.
        ...LIBRARIES.map((name) => ({
          test: { name, root: `./packages/${name}`, include: ['src/**/*.test.ts'], testTimeout: 30_000 },
        })),
        { test: { name: 'stack', root: './stack', include: ['src/**/*.test.ts'] } },
        { test: { name: 'testkit', root: './testkit', include: ['src/**/*.test.ts'] } },
        // The bench's peer: started as the bench starts it, each test a process or two.
        { test: { name: 'bench', root: './bench', include: ['**/*.test.ts'], testTimeout: 60_000 } },
        {
          test: {
            name: 'dashboard',
            root: './apps/dashboard',
            include: ['src/**/*.test.{ts,tsx}'],
            environment: 'happy-dom',
          },
        },
        // The same suites once more on PostgreSQL (the store contract already runs both stores).
        ...(skip
          ? [
              {
                test: {
                  name: 'postgres',
                  root: '.',
                  include: ['vitest.postgres-skipped.test.ts'],
                  env: { POSTGRES_SKIP_REASON: skip },
                },
              },
            ]
          : [
              {
                test: {
                  name: 'tenant (postgres)',
                  ...tenant,
                  include: ['test/**/*.test.ts'],
                  exclude: ['**/node_modules/**'],
                  env: onPostgres,
                },
              },
              {
                test: {
                  name: 'bff (postgres)',
                  ...bff,
                  include: ['test/**/*.test.ts'],
                  exclude: ['**/node_modules/**'],
                  env: onPostgres,
                },
              },
            ]),
      ],
    },
  };
});
