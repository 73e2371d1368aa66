import type { SqliteTenantStore } from './sqlite-store.ts';

/** For query-plan tests: the store's database, and the SQL of every statement it prepares until `stop()`. */
export function recordPrepared(store: SqliteTenantStore) {
  const db = store.raw;
  const prepared: string[] = [];
  const prepare = db.prepare.bind(db);
  db.prepare = ((sql: string) => {
    prepared.push(sql);
    return prepare(sql);
  }) as typeof db.prepare;
  return { db, prepared, stop: () => (db.prepare = prepare) };
}
