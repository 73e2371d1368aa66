/**
 * The language the tenant's schema is written in (schema.ts), and its rendering as DDL on each
 * dialect: tables of logical columns, their indexes and seed rows, the dialects' differences
 * declared where they occur (`only`, `unique: 'sqlite'`, `appendedInSqlite`, `withoutRowid`).
 */

export type Dialect = 'sqlite' | 'postgres';

/**
 * Logical column types. SQLite stores every integer as INTEGER (and booleans as 0/1);
 * PostgreSQL has the sizes: `int` is INT, `bigint` BIGINT (milliseconds since the epoch, counts).
 * `json` is JSON kept as text on both (the store parses it; neither dialect's JSON type is used).
 * `serial` is PostgreSQL's BIGSERIAL (see refresh_tokens.seq).
 */
export type LogicalType = 'text' | 'json' | 'int' | 'bigint' | 'boolean' | 'bytes' | 'serial';

export interface Column {
  name: string;
  type: LogicalType;
  /** NOT NULL unless this says so. (A primary key renders no NOT NULL: see renderColumn.) */
  nullable?: boolean;
  primaryKey?: boolean;
  /** A one-column unique constraint, on both dialects or on one. */
  unique?: boolean | Dialect;
  /** A CHECK on the column, the same SQL on both. */
  check?: string;
  default?: string | number;
  /** Compared without case. SQLite: the column's collation (NOCASE); PostgreSQL has no such collation: its indexes use lower(). */
  caseInsensitive?: boolean;
  only?: Dialect;
  /**
   * SQLite adds a column at the end of the table (ALTER TABLE ADD COLUMN), so a column that
   * PostgreSQL's first migration already had in the middle comes last on SQLite: in a database
   * migrated there, and so in one created here (the order `SELECT *` answers in).
   */
  appendedInSqlite?: boolean;
}

/** A key of an index: a column, or a column compared without case (SQLite: COLLATE NOCASE; PostgreSQL: lower(column)). */
export type IndexKey = string | { column: string; caseInsensitive: true };

export interface Index {
  name: string;
  keys: IndexKey[];
  unique?: boolean;
  /** A partial index's condition, the same SQL on both. */
  where?: string;
  only?: Dialect;
}

export type SeedValue = string | number | boolean | null;

export interface Table {
  name: string;
  columns: Column[];
  /** Unique constraints over several columns (one column: Column.unique). */
  unique?: string[][];
  indexes?: Index[];
  /** SQLite only: a table clustered on its primary key, for tables only ever read by it. */
  withoutRowid?: boolean;
  only?: Dialect;
  /** Rows a new database starts with. (No migration seeds any today; the tests compare every table's rows.) */
  rows?: Record<string, SeedValue>[];
}

export interface Schema {
  tables: Table[];
  /** SQLite only: triggers, as their CREATE TRIGGER, after every table. */
  sqliteTriggers?: string[];
  /** PostgreSQL only: functions in the schema, as their CREATE FUNCTION. (SQLite's are registered on the connection, see openSqliteStore.) */
  postgresFunctions?: string[];
}

const TYPES: Record<Dialect, Record<LogicalType, string | undefined>> = {
  sqlite: {
    text: 'TEXT',
    json: 'TEXT',
    int: 'INTEGER',
    bigint: 'INTEGER',
    boolean: 'INTEGER',
    bytes: 'BLOB',
    serial: undefined,
  },
  postgres: {
    text: 'TEXT',
    json: 'TEXT',
    int: 'INT',
    bigint: 'BIGINT',
    boolean: 'BOOLEAN',
    bytes: 'BYTEA',
    serial: 'BIGSERIAL',
  },
};

/** The DDL (and seed rows) that create `schema` on SQLite, as one script. */
export function renderSqlite(schema: Schema): string {
  return render(schema, 'sqlite');
}

/** The DDL (functions first, then tables, their indexes and seed rows) that create `schema` on PostgreSQL, as one script. */
export function renderPostgres(schema: Schema): string {
  return render(schema, 'postgres');
}

const onDialect = (dialect: Dialect) => (thing: { only?: Dialect }) =>
  thing.only === undefined || thing.only === dialect;

function render(schema: Schema, dialect: Dialect): string {
  const statements = dialect === 'postgres' ? [...(schema.postgresFunctions ?? [])] : [];
  for (const table of schema.tables.filter(onDialect(dialect))) {
    statements.push(renderTable(table, dialect));
    for (const index of (table.indexes ?? []).filter(onDialect(dialect)))
      statements.push(renderIndex(table, index, dialect));
    for (const row of table.rows ?? []) statements.push(renderRow(table, row, dialect));
  }
  if (dialect === 'sqlite') statements.push(...(schema.sqliteTriggers ?? []));
  return `${statements.join('\n')}\n`;
}

function renderTable(table: Table, dialect: Dialect): string {
  let columns = table.columns.filter(onDialect(dialect));
  if (dialect === 'sqlite')
    columns = [...columns.filter((c) => !c.appendedInSqlite), ...columns.filter((c) => c.appendedInSqlite)];
  const parts = columns.map((column) => renderColumn(column, dialect));
  for (const unique of table.unique ?? []) parts.push(`UNIQUE (${unique.join(', ')})`);
  const options = dialect === 'sqlite' && table.withoutRowid ? ' WITHOUT ROWID' : '';
  return `CREATE TABLE ${table.name} (\n  ${parts.join(',\n  ')}\n)${options};`;
}

/**
 * In the order the migrations write them (so SQLite's stored CREATE TABLE text matches a
 * migrated file's). A primary key renders no NOT NULL, as in the migrations: PostgreSQL implies
 * it; SQLite (a rowid table with a TEXT key) would accept a NULL key, never written.
 */
function renderColumn(column: Column, dialect: Dialect): string {
  const type = TYPES[dialect][column.type];
  if (!type) throw new Error(`${column.name}: no ${column.type} on ${dialect}`);
  let sql = `${column.name} ${type}`;
  if (column.primaryKey) sql += ' PRIMARY KEY';
  if (column.check) sql += ` CHECK (${column.check})`;
  if (!column.nullable && !column.primaryKey && column.type !== 'serial') sql += ' NOT NULL';
  if (column.unique === true || column.unique === dialect) sql += ' UNIQUE';
  if (column.caseInsensitive && dialect === 'sqlite') sql += ' COLLATE NOCASE';
  if (column.default !== undefined) sql += ` DEFAULT ${literal(column.default)}`;
  return sql;
}

/**
 * One table's secondary indexes on `dialect` as `CREATE INDEX IF NOT EXISTS`, by name: what
 * a bulk load drops and builds again (TenantStore.bulkLoad), from the schema as declared here.
 */
export function indexStatements(schema: Schema, tableName: string, dialect: Dialect): { name: string; sql: string }[] {
  const table = schema.tables.find((t) => t.name === tableName);
  if (!table) throw new Error(`no table ${tableName} in the schema`);
  return (table.indexes ?? []).filter(onDialect(dialect)).map((index) => ({
    name: index.name,
    sql: renderIndex(table, index, dialect).replace(/^CREATE (UNIQUE )?INDEX /, 'CREATE $1INDEX IF NOT EXISTS '),
  }));
}

function renderIndex(table: Table, index: Index, dialect: Dialect): string {
  const keys = index.keys.map((key) =>
    typeof key === 'string' ? key : dialect === 'sqlite' ? `${key.column} COLLATE NOCASE` : `lower(${key.column})`,
  );
  const where = index.where ? ` WHERE ${index.where}` : '';
  return `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${index.name} ON ${table.name} (${keys.join(', ')})${where};`;
}

function renderRow(table: Table, row: Record<string, SeedValue>, dialect: Dialect): string {
  const names = Object.keys(row);
  const values = names.map((name) => {
    const value = row[name]!;
    return typeof value === 'boolean' && dialect === 'sqlite' ? String(Number(value)) : literal(value);
  });
  return `INSERT INTO ${table.name} (${names.join(', ')}) VALUES (${values.join(', ')});`;
}

function literal(value: SeedValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'string') return `'${value.replaceAll("'", "''")}'`;
  return String(value);
}
