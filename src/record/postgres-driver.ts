import pg from 'pg';
import type { SqlDriver, SqlRow, SqlValue } from './sql-driver.js';

const BIGINT_OID = 20;

/** `?` placeholders, as the shared SQL is written, become PostgreSQL's `$1`, `$2`, …. */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

// Times are BIGINT epoch milliseconds, well inside a double's exact range: read them as numbers.
const types = {
  getTypeParser: (oid: number, format?: string) =>
    oid === BIGINT_OID ? Number : pg.types.getTypeParser(oid, format as 'text'),
};

function over(client: pg.Pool | pg.PoolClient, inTransaction: boolean): SqlDriver {
  const driver: SqlDriver = {
    name: 'postgres',
    all: async (sql, params = []) => (await client.query(numbered(sql), params as SqlValue[])).rows as SqlRow[],
    run: async (sql, params = []) => (await client.query(numbered(sql), params as SqlValue[])).rowCount ?? 0,
    async transaction(work) {
      if (inTransaction) return work(driver);
      const connection = await (client as pg.Pool).connect();
      try {
        await connection.query('BEGIN');
        const result = await work(over(connection, true));
        await connection.query('COMMIT');
        return result;
      } catch (error) {
        await connection.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        connection.release();
      }
    },
    close: async () => {
      if (!inTransaction) await (client as pg.Pool).end();
    },
  };
  return driver;
}

/** PostgreSQL through a small pool (`DATABASE_URL`), shared by every instance of the service. */
export function openPostgres(url: string): SqlDriver {
  const pool = new pg.Pool({ connectionString: url, max: 4, types });
  // An idle client that loses its server must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  return over(pool, false);
}
