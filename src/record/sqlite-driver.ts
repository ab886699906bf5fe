import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { SqlDriver, SqlRow, SqlValue } from './sql-driver.js';

/**
 * The embedded default: one SQLite file. WAL with synchronous=NORMAL keeps every committed
 * batch across a crash of the process (kill -9), which is what the record promises.
 */
export function openSqlite(file: string): SqlDriver {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  const driver: SqlDriver = {
    name: 'sqlite',
    all: async (sql, params = []) => db.prepare(sql).all(...(params as SqlValue[])) as SqlRow[],
    run: async (sql, params = []) => db.prepare(sql).run(...(params as SqlValue[])).changes,
    async transaction(work) {
      // better-sqlite3 is synchronous: nothing else runs on this connection between BEGIN and COMMIT.
      db.exec('BEGIN IMMEDIATE');
      try {
        const result = await work(driver);
        db.exec('COMMIT');
        return result;
      } catch (error) {
        db.exec('ROLLBACK');
        throw error;
      }
    },
    close: async () => void db.close(),
  };
  return driver;
}
