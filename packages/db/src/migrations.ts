/**
 * A store's schema: the migrations in the order they were written (`history`), and the state
 * they reach, as one script (`fresh`). A database with nothing applied is created from `fresh`
 * in one step and recorded at the last migration's version; one already migrated keeps
 * upgrading through `history`, which therefore never changes. A plain array is history alone
 * (every database goes through it).
 */
export interface Migrations {
  history: string[];
  fresh: string;
}

export function historyAndFresh(migrations: string[] | Migrations): { history: string[]; fresh: string | undefined } {
  return Array.isArray(migrations) ? { history: migrations, fresh: undefined } : migrations;
}
