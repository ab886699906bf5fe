export type SqlValue = string | number | null;
export type SqlRow = Record<string, SqlValue>;

/**
 * The little the record needs from a database: statements with `?` placeholders, and a
 * transaction. SQLite and PostgreSQL each implement it; the store's SQL is shared.
 */
export interface SqlDriver {
  readonly name: 'sqlite' | 'postgres';
  all(sql: string, params?: readonly SqlValue[]): Promise<SqlRow[]>;
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** Runs `work` in one transaction; `tx` is the driver to use inside it. */
  transaction<T>(work: (tx: SqlDriver) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
