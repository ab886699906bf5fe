import type {
  IncidentDetail,
  IncidentPage,
  IncidentQuery,
  IncidentSummary,
  TimelineEntry,
  TimelineKind,
} from '../protocol/incidents.js';
import type { Label } from '../protocol/verdict.js';
import { MIGRATIONS } from './migrations.js';
import type { SqlDriver, SqlRow, SqlValue } from './sql-driver.js';

/** One call of the record: a call id used again after its end is another call, with another epoch. */
export interface RecordedCall {
  tenant: string;
  callId: string;
  epoch: string;
}

/** One write the recorder queues; replaying a write is harmless (each is keyed). */
export type RecordWrite =
  | (RecordedCall & {
      kind: 'incident';
      agentId: string;
      teamId?: string;
      startedAt: number;
      at: number;
      cueType: string;
    })
  | (RecordedCall & {
      kind: 'event';
      key: string;
      at: number;
      type: TimelineKind;
      data: Record<string, unknown>;
    })
  | (RecordedCall & { kind: 'ended'; at: number });

export interface FeedbackRow extends RecordedCall {
  segmentId: string;
  by: string;
  at: number;
  speaker: string;
  text: string;
  modelLabel?: Label;
  label: Label;
}

type Filter = Omit<IncidentQuery, 'limit' | 'cursor'>;

const DEFAULT_PAGE = 50;
const MIGRATION_LOCK = 71_044;

const cursorOf = (row: IncidentSummary): string =>
  Buffer.from(JSON.stringify([row.firstIncidentAt, row.callId, row.epoch])).toString('base64url');

export class BadCursorError extends Error {
  override name = 'BadCursorError';
}

function parseCursor(cursor: string): [number, string, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    // As the service writes them: a whole-millisecond time, a call id and an epoch (which hold no NUL, as no id may).
    if (
      Array.isArray(value) &&
      Number.isSafeInteger(value[0]) &&
      typeof value[1] === 'string' &&
      !value[1].includes('\u0000') &&
      typeof value[2] === 'string' &&
      !value[2].includes('\u0000')
    )
      return [value[0] as number, value[1], value[2]];
  } catch {
    // reported below
  }
  throw new BadCursorError('cursor: not a cursor this service issued');
}

function summaryOf(row: SqlRow): IncidentSummary {
  return {
    callId: String(row.call_id),
    epoch: String(row.epoch),
    agentId: String(row.agent_id),
    ...(row.team_id !== null ? { teamId: String(row.team_id) } : {}),
    startedAt: Number(row.started_at),
    firstIncidentAt: Number(row.first_incident_at),
    ...(row.ended_at !== null ? { endedAt: Number(row.ended_at) } : {}),
    cueTypes: String(row.cue_types).split(',').filter(Boolean) as IncidentSummary['cueTypes'],
  };
}

function where(tenant: string, filter: Filter): { sql: string; params: SqlValue[] } {
  const clauses = ['tenant = ?'];
  const params: SqlValue[] = [tenant];
  const add = (clause: string, value: SqlValue) => {
    clauses.push(clause);
    params.push(value);
  };
  if (filter.from !== undefined) add('first_incident_at >= ?', filter.from);
  if (filter.to !== undefined) add('first_incident_at < ?', filter.to);
  if (filter.agentId !== undefined) add('agent_id = ?', filter.agentId);
  if (filter.teamId !== undefined) add('team_id = ?', filter.teamId);
  if (filter.cueType !== undefined) add('cue_types LIKE ?', `%,${filter.cueType},%`);
  return { sql: clauses.join(' AND '), params };
}

/** One call's rows: by call id and epoch, or every call with that id when no epoch is given. */
function oneCall(tenant: string, callId: string, epoch: string | undefined): { sql: string; params: SqlValue[] } {
  return epoch === undefined
    ? { sql: 'tenant = ? AND call_id = ?', params: [tenant, callId] }
    : { sql: 'tenant = ? AND call_id = ? AND epoch = ?', params: [tenant, callId, epoch] };
}

/** The incident record over SQLite or PostgreSQL: the same SQL, every query scoped to one tenant. */
export class IncidentStore {
  constructor(private readonly db: SqlDriver) {}

  get driverName(): SqlDriver['name'] {
    return this.db.name;
  }

  /** Brings the schema to the newest version; safe when several instances start at once. */
  async migrate(): Promise<void> {
    await this.db.run(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)',
    );
    await this.db.transaction(async (tx) => {
      if (tx.name === 'postgres') await tx.all('SELECT pg_advisory_xact_lock(?)', [MIGRATION_LOCK]);
      const [row] = await tx.all('SELECT MAX(version) AS version FROM schema_migrations');
      const current = Number(row?.version ?? 0);
      for (const migration of MIGRATIONS.filter((m) => m.version > current)) {
        for (const statement of migration.statements) await tx.run(statement);
        await tx.run('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', [
          migration.version,
          Date.now(),
        ]);
      }
    });
  }

  async schemaVersion(): Promise<number> {
    const [row] = await this.db.all('SELECT MAX(version) AS version FROM schema_migrations');
    return Number(row?.version ?? 0);
  }

  /** Applies a batch in one transaction, in order. */
  async write(batch: readonly RecordWrite[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      for (const w of batch) {
        if (w.kind === 'incident') {
          await tx.run(
            `INSERT INTO incidents (tenant, call_id, epoch, agent_id, team_id, started_at, first_incident_at, ended_at, cue_types, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)
             ON CONFLICT (tenant, call_id, epoch) DO UPDATE SET
               cue_types = CASE WHEN incidents.cue_types LIKE ? THEN incidents.cue_types ELSE incidents.cue_types || ? END,
               updated_at = excluded.updated_at`,
            [
              w.tenant,
              w.callId,
              w.epoch,
              w.agentId,
              w.teamId ?? null,
              w.startedAt,
              w.at,
              `,${w.cueType},`,
              w.at,
              `%,${w.cueType},%`,
              `${w.cueType},`,
            ],
          );
        } else if (w.kind === 'event') {
          await tx.run(
            `INSERT INTO incident_events (tenant, call_id, epoch, event_key, at, kind, body) VALUES (?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (tenant, call_id, epoch, event_key) DO NOTHING`,
            [w.tenant, w.callId, w.epoch, w.key, w.at, w.type, JSON.stringify(w.data)],
          );
        } else {
          const { sql, params } = oneCall(w.tenant, w.callId, w.epoch);
          await tx.run(`UPDATE incidents SET ended_at = ?, updated_at = ? WHERE ${sql}`, [w.at, w.at, ...params]);
        }
      }
    });
  }

  /** Newest first, `limit` at a time; `nextCursor` continues after the last one returned. */
  async list(tenant: string, query: IncidentQuery): Promise<IncidentPage> {
    const limit = query.limit ?? DEFAULT_PAGE;
    const { sql, params } = where(tenant, query);
    let page = sql;
    if (query.cursor !== undefined) {
      const [at, callId, epoch] = parseCursor(query.cursor);
      page +=
        ' AND (first_incident_at < ? OR (first_incident_at = ? AND (call_id < ? OR (call_id = ? AND epoch < ?))))';
      params.push(at, at, callId, callId, epoch);
    }
    const rows = await this.db.all(
      `SELECT * FROM incidents WHERE ${page} ORDER BY first_incident_at DESC, call_id DESC, epoch DESC LIMIT ?`,
      [...params, limit + 1],
    );
    const incidents = rows.slice(0, limit).map(summaryOf);
    return rows.length > limit ? { incidents, nextCursor: cursorOf(incidents.at(-1)!) } : { incidents };
  }

  /** Every incident matching the filter with its timeline, newest first, a page at a time (for export). */
  async *each(tenant: string, filter: Filter): AsyncGenerator<IncidentDetail> {
    let cursor: string | undefined;
    do {
      const page = await this.list(tenant, { ...filter, limit: 100, ...(cursor !== undefined ? { cursor } : {}) });
      for (const summary of page.incidents) yield { ...summary, timeline: await this.timeline(tenant, summary) };
      cursor = page.nextCursor;
    } while (cursor !== undefined);
  }

  /** The incident of the call with that id and epoch; without an epoch, the newest of that call id. */
  async get(tenant: string, callId: string, epoch?: string): Promise<IncidentDetail | undefined> {
    const { sql, params } = oneCall(tenant, callId, epoch);
    const [row] = await this.db.all(
      `SELECT * FROM incidents WHERE ${sql} ORDER BY first_incident_at DESC LIMIT 1`,
      params,
    );
    if (!row) return undefined;
    const summary = summaryOf(row);
    return { ...summary, timeline: await this.timeline(tenant, summary) };
  }

  private async timeline(tenant: string, { callId, epoch }: IncidentSummary): Promise<TimelineEntry[]> {
    const { sql, params } = oneCall(tenant, callId, epoch);
    const events = await this.db.all(
      // A line received in the millisecond its cue was emitted still comes first.
      `SELECT at, kind, body FROM incident_events WHERE ${sql}
       ORDER BY at, CASE kind WHEN 'line' THEN 0 ELSE 1 END, event_key`,
      params,
    );
    const feedback = await this.db.all(`SELECT * FROM label_feedback WHERE ${sql} ORDER BY at`, params);
    const entries: TimelineEntry[] = events.map((e) => ({
      at: Number(e.at),
      kind: e.kind as TimelineKind,
      data: JSON.parse(String(e.body)),
    }));
    for (const f of feedback.map(feedbackOf))
      entries.push({ at: f.at, kind: 'feedback', data: { ...f, tenant: undefined, epoch: undefined } });
    return entries.sort((a, b) => a.at - b.at);
  }

  /**
   * Removes the record (incident, timeline, corrections) of the call with that id and epoch;
   * without an epoch, of every call with that id. False when there was none.
   */
  async deleteCall(tenant: string, callId: string, epoch?: string): Promise<boolean> {
    const { sql, params } = oneCall(tenant, callId, epoch);
    return this.db.transaction(async (tx) => {
      const removed = await tx.run(`DELETE FROM incidents WHERE ${sql}`, params);
      const events = await tx.run(`DELETE FROM incident_events WHERE ${sql}`, params);
      const feedback = await tx.run(`DELETE FROM label_feedback WHERE ${sql}`, params);
      return removed + events + feedback > 0;
    });
  }

  /** Deletes what was last touched before `before` (epoch ms); returns the incidents removed. */
  async purge(before: number): Promise<number> {
    return this.db.transaction(async (tx) => {
      await tx.run(
        `DELETE FROM incident_events WHERE EXISTS (SELECT 1 FROM incidents i
           WHERE i.tenant = incident_events.tenant AND i.call_id = incident_events.call_id
             AND i.epoch = incident_events.epoch AND i.updated_at < ?)`,
        [before],
      );
      await tx.run('DELETE FROM label_feedback WHERE at < ?', [before]);
      return tx.run('DELETE FROM incidents WHERE updated_at < ?', [before]);
    });
  }

  /** Records a correction; the same person correcting the same line again replaces it. */
  async addFeedback(f: FeedbackRow): Promise<void> {
    await this.db.run(
      `INSERT INTO label_feedback (tenant, call_id, epoch, segment_id, by_name, at, speaker, text, model_label, label) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (tenant, call_id, epoch, segment_id, by_name) DO UPDATE SET at = excluded.at, label = excluded.label`,
      [f.tenant, f.callId, f.epoch, f.segmentId, f.by, f.at, f.speaker, f.text, f.modelLabel ?? null, f.label],
    );
  }

  /** Corrections, oldest first; every tenant's unless one is named (for the training export). */
  async feedback(tenant?: string): Promise<FeedbackRow[]> {
    const rows =
      tenant === undefined
        ? await this.db.all('SELECT * FROM label_feedback ORDER BY at, tenant, call_id, segment_id')
        : await this.db.all('SELECT * FROM label_feedback WHERE tenant = ? ORDER BY at, call_id, segment_id', [tenant]);
    return rows.map(feedbackOf);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

function feedbackOf(row: SqlRow): FeedbackRow {
  return {
    tenant: String(row.tenant),
    callId: String(row.call_id),
    epoch: String(row.epoch),
    segmentId: String(row.segment_id),
    by: String(row.by_name),
    at: Number(row.at),
    speaker: String(row.speaker),
    text: String(row.text),
    ...(row.model_label !== null ? { modelLabel: row.model_label as Label } : {}),
    label: row.label as Label,
  };
}
