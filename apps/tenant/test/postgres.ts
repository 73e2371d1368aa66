import pg from 'pg';
import { dropSchema } from '@rtc/db/postgres';

export { dropSchema };

/**
 * PostgreSQL for tests: TEST_DATABASE_URL (default: the local trust-auth server's `test`
 * database). Each store gets a schema of its own, dropped when the run ends. When no server
 * answers, the PostgreSQL runs are skipped with the reason.
 */
export async function postgresForTests() {
  const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  let skip: string | undefined;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (err) {
    skip = `no PostgreSQL at ${url.replace(/\/\/[^@]*@/, '//')}: ${(err as Error).message}`;
  } finally {
    await client.end().catch(() => {});
  }
  const schemas: string[] = [];
  return {
    url,
    skip,
    /** A fresh schema name; dropped by `dropSchemas`. */
    schema(): string {
      const name = `t_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
      schemas.push(name);
      return name;
    },
    /** Drops the schemas on close of the store that used them. */
    track<T extends { close(): Promise<void> }>(store: T): T {
      const schema = schemas[schemas.length - 1]!;
      const close = store.close.bind(store);
      store.close = async () => {
        await close();
        await dropSchema(url, schema);
      };
      return store;
    },
  };
}
