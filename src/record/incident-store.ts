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

/** One write the recorder queues; replaying a write is harmless (each is keyed). */
export type RecordWrite =
  | {
      kind: 'incident';
      tenant: string;
      callId: string;
      agentId: string;
      teamId?: string;
      startedAt: number;
      at: number;
      cueType: string;
    }
  | {
      kind: 'event';
      tenant: string;
      callId: string;
      key: string;
      at: number;
      type: TimelineKind;
      data: Record<string, unknown>;
    }
  | { kind: 'ended'; tenant: string; callId: string; at: number };

export interface FeedbackRow {
  tenant: string;
  callId: string;
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
  Buffer.from(JSON.stringify([row.firstIncidentAt, row.callId])).toString('base64url');

export class BadCursorError extends Error {
  override name = 'BadCursorError';
}

function parseCursor(cursor: string): [number, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    // As the service writes them: a whole-millisecond time and a call id (which holds no NUL, as no id may).
    if (
      Array.isArray(value) &&
      Number.isSafeInteger(value[0]) &&
      typeof value[1] === 'string' &&
      !value[1].includes('\u0000')
    )
      return [value[0] as number, value[1]];
  } catch {
    // reported below
  }
  throw new BadCursorError('cursor: not a cursor this service issued');
}

function summaryOf(row: SqlRow): IncidentSummary {
  return {
    callId: String(row.call_id),
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
            `INSERT INTO incidents (tenant, call_id, agent_id, team_id, started_at, first_incident_at, ended_at, cue_types, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?)
             ON CONFLICT (tenant, call_id) DO UPDATE SET
               cue_types = CASE WHEN incidents.cue_types LIKE ? THEN incidents.cue_types ELSE incidents.cue_types || ? END,
               updated_at = excluded.updated_at`,
            [
              w.tenant,
              w.callId,
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
            `INSERT INTO incident_events (tenant, call_id, event_key, at, kind, body) VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (tenant, call_id, event_key) DO NOTHING`,
            [w.tenant, w.callId, w.key, w.at, w.type, JSON.stringify(w.data)],
          );
        } else {
          await tx.run('UPDATE incidents SET ended_at = ?, updated_at = ? WHERE tenant = ? AND call_id = ?', [
            w.at,
            w.at,
            w.tenant,
            w.callId,
          ]);
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
      const [at, callId] = parseCursor(query.cursor);
      page += ' AND (first_incident_at < ? OR (first_incident_at = ? AND call_id < ?))';
      params.push(at, at, callId);
    }
    const rows = await this.db.all(
      `SELECT * FROM incidents WHERE ${page} ORDER BY first_incident_at DESC, call_id DESC LIMIT ?`,
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
      for (const summary of page.incidents) yield { ...summary, timeline: await this.timeline(tenant, summary.callId) };
      cursor = page.nextCursor;
    } while (cursor !== undefined);
  }

  async get(tenant: string, callId: string): Promise<IncidentDetail | undefined> {
    const [row] = await this.db.all('SELECT * FROM incidents WHERE tenant = ? AND call_id = ?', [tenant, callId]);
    if (!row) return undefined;
    return { ...summaryOf(row), timeline: await this.timeline(tenant, callId) };
  }

  private async timeline(tenant: string, callId: string): Promise<TimelineEntry[]> {
    const events = await this.db.all(
      // A line received in the millisecond its cue was emitted still comes first.
      `SELECT at, kind, body FROM incident_events WHERE tenant = ? AND call_id = ?
       ORDER BY at, CASE kind WHEN 'line' THEN 0 ELSE 1 END, event_key`,
      [tenant, callId],
    );
    const feedback = await this.feedbackOf(tenant, callId);
    const entries: TimelineEntry[] = events.map((e) => ({
      at: Number(e.at),
      kind: e.kind as TimelineKind,
      data: JSON.parse(String(e.body)),
    }));
    for (const f of feedback) entries.push({ at: f.at, kind: 'feedback', data: { ...f, tenant: undefined } });
    return entries.sort((a, b) => a.at - b.at);
  }

  /** Removes one call's record (incident, timeline, corrections); false when there was none. */
  async deleteCall(tenant: string, callId: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const key = [tenant, callId];
      const removed = await tx.run('DELETE FROM incidents WHERE tenant = ? AND call_id = ?', key);
      const events = await tx.run('DELETE FROM incident_events WHERE tenant = ? AND call_id = ?', key);
      const feedback = await tx.run('DELETE FROM label_feedback WHERE tenant = ? AND call_id = ?', key);
      return removed + events + feedback > 0;
    });
  }

  /** Deletes what was last touched before `before` (epoch ms); returns the incidents removed. */
  async purge(before: number): Promise<number> {
    return this.db.transaction(async (tx) => {
      await tx.run(
        `DELETE FROM incident_events WHERE EXISTS (SELECT 1 FROM incidents i
           WHERE i.tenant = incident_events.tenant AND i.call_id = incident_events.call_id AND i.updated_at < ?)`,
        [before],
      );
      await tx.run('DELETE FROM label_feedback WHERE at < ?', [before]);
      return tx.run('DELETE FROM incidents WHERE updated_at < ?', [before]);
    });
  }

  /** Records a correction; the same person correcting the same line again replaces it. */
  async addFeedback(f: FeedbackRow): Promise<void> {
    await this.db.run(
      `INSERT INTO label_feedback (tenant, call_id, segment_id, by_name, at, speaker, text, model_label, label) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (tenant, call_id, segment_id, by_name) DO UPDATE SET at = excluded.at, label = excluded.label`,
      [f.tenant, f.callId, f.segmentId, f.by, f.at, f.speaker, f.text, f.modelLabel ?? null, f.label],
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

  private async feedbackOf(tenant: string, callId: string): Promise<FeedbackRow[]> {
    return (
      await this.db.all('SELECT * FROM label_feedback WHERE tenant = ? AND call_id = ? ORDER BY at', [tenant, callId])
    ).map(feedbackOf);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

function feedbackOf(row: SqlRow): FeedbackRow {
  return {
    tenant: String(row.tenant),
    callId: String(row.call_id),
    segmentId: String(row.segment_id),
    by: String(row.by_name),
    at: Number(row.at),
    speaker: String(row.speaker),
    text: String(row.text),
    ...(row.model_label !== null ? { modelLabel: row.model_label as Label } : {}),
    label: row.label as Label,
  };
}
