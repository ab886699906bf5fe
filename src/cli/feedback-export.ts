import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../config.js';
import { feedbackCorpus } from '../record/feedback-corpus.js';
import { IncidentStore } from '../record/incident-store.js';
import { openPostgres } from '../record/postgres-driver.js';
import { openSqlite } from '../record/sqlite-driver.js';
import { failure, parseCommandLine, usageError } from './command-line.js';

const PROGRAM = 'feedback:export';
const USAGE = `Usage: npm run feedback:export -- FILE [--tenant TENANT]

Writes the label corrections agents and supervisors made ("wrong label") to FILE as JSON lines in
the training corpus format (training/corpus/README.md): {"text","label","split":"train","case":"feedback",
"speaker"?}. Where several people corrected one line, the newest correction counts. The record is
read from DATABASE_URL if set, else from DATA_DIR/call-guard.db (as the service stores it).

  --tenant TENANT   only this tenant's corrections (default: every tenant's)
  -h, --help        this text`;

const { values, positionals } = parseCommandLine(
  PROGRAM,
  USAGE,
  { tenant: { type: 'string' } },
  { allowPositionals: true },
);
if (positionals.length !== 1) usageError(PROGRAM, 'expected one FILE to write');

const config = (() => {
  try {
    return loadConfig();
  } catch (error) {
    return failure(PROGRAM, (error as Error).message);
  }
})();
const store = new IncidentStore(
  config.databaseUrl ? openPostgres(config.databaseUrl) : openSqlite(join(config.dataDir, 'call-guard.db')),
);
try {
  await store.migrate();
  const lines = feedbackCorpus(await store.feedback(values.tenant));
  writeFileSync(positionals[0]!, lines.map((l) => `${l}\n`).join(''));
  console.log(`${PROGRAM}: wrote ${lines.length} corrected lines to ${positionals[0]}`);
} catch (error) {
  failure(PROGRAM, (error as Error).message);
} finally {
  await store.close();
}
