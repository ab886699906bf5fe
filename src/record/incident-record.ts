import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { Metrics } from '../metrics.js';
import type { CallInfo, HubObserver } from '../state/call-state.js';
import { IncidentStore } from './incident-store.js';
import { openPostgres } from './postgres-driver.js';
import { Recorder } from './recorder.js';
import { openSqlite } from './sqlite-driver.js';
import { WriteQueue } from './write-queue.js';

export interface RecordSettings {
  /** SQLite's folder when no databaseUrl is given. */
  dataDir: string;
  /** postgres://…: PostgreSQL, shared by every instance; unset: SQLite under dataDir. */
  databaseUrl?: string;
  /** Final lines kept before and after each incident cue's line. */
  recordContextLines: number;
  /** Incidents and corrections untouched this long are purged. */
  recordRetentionDays: number;
  /** Writes waiting beyond which new ones are dropped and counted. */
  recordQueueMax: number;
}

export const recordDefaults = {
  dataDir: 'data',
  recordContextLines: 5,
  recordRetentionDays: 90,
  recordQueueMax: 10_000,
} satisfies Partial<RecordSettings>;

/** The SQLite file the record keeps under DATA_DIR. */
export const sqliteFile = (dataDir: string): string => join(dataDir, 'call-guard.db');

const DAY_MS = 24 * 60 * 60 * 1000;
const PURGE_EVERY_MS = 60 * 60 * 1000;

/** The durable record of incidents: the store, the recorder that feeds it from the hub, and the retention purge. */
export class IncidentRecord {
  private constructor(
    readonly store: IncidentStore,
    private readonly queue: WriteQueue,
    private readonly recorder: Recorder,
    private readonly purgeTimer: NodeJS.Timeout,
  ) {}

  static async open(settings: RecordSettings, metrics: Metrics, log: FastifyBaseLogger): Promise<IncidentRecord> {
    const driver = settings.databaseUrl ? openPostgres(settings.databaseUrl) : openSqlite(sqliteFile(settings.dataDir));
    const store = new IncidentStore(driver);
    await store.migrate();
    const queue = new WriteQueue(
      { maxQueue: settings.recordQueueMax, maxBatch: 256, flushMs: 10, retryMs: 1000 },
      {
        write: (batch) => store.write(batch),
        onWritten: (n) => {
          metrics.recordWrites.inc({ outcome: 'written' }, n);
          metrics.recordQueueDepth.set(queue.depth);
        },
        onDropped: () => metrics.recordWrites.inc({ outcome: 'dropped' }),
        onFailed: (error) => {
          metrics.recordWrites.inc({ outcome: 'failed' });
          metrics.recordQueueDepth.set(queue.depth);
          log.error({ err: error }, 'incident record: a batch could not be written; it will be retried');
        },
      },
    );
    const recorder = new Recorder(settings.recordContextLines, (write) => queue.push(write));
    const purge = () =>
      store.purge(Date.now() - settings.recordRetentionDays * DAY_MS).then(
        (removed) => removed > 0 && log.info({ removed }, 'incident record: purged incidents past retention'),
        (error: unknown) => log.error({ err: error }, 'incident record: purge failed'),
      );
    await purge();
    const purgeTimer = setInterval(purge, PURGE_EVERY_MS).unref();
    log.info({ store: store.driverName, retentionDays: settings.recordRetentionDays }, 'incident record open');
    return new IncidentRecord(store, queue, recorder, purgeTimer);
  }

  /** The hub's observer: never throws into the hub. */
  readonly observe: HubObserver = (info, event, context) => {
    try {
      this.recorder.observe(info, event, context);
    } catch {
      // A bug here must not cost a cue; the write metrics show a record that stops growing.
    }
  };

  /** A call another instance took over: its events are that instance's to record. */
  forget(info: CallInfo): void {
    this.recorder.forget(info);
  }

  async close(): Promise<void> {
    clearInterval(this.purgeTimer);
    await this.queue.drain();
    await this.store.close();
  }
}
