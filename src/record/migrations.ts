/**
 * The record's schema, one version at a time, in SQL that SQLite and PostgreSQL both run. A
 * released version is never edited: a change is a new version. Times are epoch milliseconds.
 */
export const MIGRATIONS: readonly { version: number; statements: readonly string[] }[] = [
  {
    version: 1,
    statements: [
      `CREATE TABLE incidents (
        tenant TEXT NOT NULL,
        call_id TEXT NOT NULL,
        agent_id TEXT NOT NULL,
        team_id TEXT,
        started_at BIGINT NOT NULL,
        first_incident_at BIGINT NOT NULL,
        ended_at BIGINT,
        cue_types TEXT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (tenant, call_id)
      )`,
      `CREATE INDEX incidents_by_time ON incidents (tenant, first_incident_at, call_id)`,
      `CREATE TABLE incident_events (
        tenant TEXT NOT NULL,
        call_id TEXT NOT NULL,
        event_key TEXT NOT NULL,
        at BIGINT NOT NULL,
        kind TEXT NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (tenant, call_id, event_key)
      )`,
      `CREATE TABLE label_feedback (
        tenant TEXT NOT NULL,
        call_id TEXT NOT NULL,
        segment_id TEXT NOT NULL,
        by_name TEXT NOT NULL,
        at BIGINT NOT NULL,
        speaker TEXT NOT NULL,
        text TEXT NOT NULL,
        model_label TEXT,
        label TEXT NOT NULL,
        PRIMARY KEY (tenant, call_id, segment_id, by_name)
      )`,
      `CREATE INDEX label_feedback_by_time ON label_feedback (at)`,
    ],
  },
  {
    // A call id used again after call.end is another call (another epoch): each is its own
    // incident. Rows written before keep an empty epoch.
    version: 2,
    statements: [
      `CREATE TABLE incidents_v2 (
        tenant TEXT NOT NULL,
        call_id TEXT NOT NULL,
        epoch TEXT NOT NULL,
        agent_id TEXT NOT NULL,
        team_id TEXT,
        started_at BIGINT NOT NULL,
        first_incident_at BIGINT NOT NULL,
        ended_at BIGINT,
        cue_types TEXT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (tenant, call_id, epoch)
      )`,
      `INSERT INTO incidents_v2 (tenant, call_id, epoch, agent_id, team_id, started_at, first_incident_at, ended_at, cue_types, updated_at)
        SELECT tenant, call_id, '', agent_id, team_id, started_at, first_incident_at, ended_at, cue_types, updated_at FROM incidents`,
      `DROP TABLE incidents`,
      `ALTER TABLE incidents_v2 RENAME TO incidents`,
      `CREATE INDEX incidents_by_time ON incidents (tenant, first_incident_at, call_id, epoch)`,
      `CREATE TABLE incident_events_v2 (
        tenant TEXT NOT NULL,
        call_id TEXT NOT NULL,
        epoch TEXT NOT NULL,
        event_key TEXT NOT NULL,
        at BIGINT NOT NULL,
        kind TEXT NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (tenant, call_id, epoch, event_key)
      )`,
      `INSERT INTO incident_events_v2 (tenant, call_id, epoch, event_key, at, kind, body)
        SELECT tenant, call_id, '', event_key, at, kind, body FROM incident_events`,
      `DROP TABLE incident_events`,
      `ALTER TABLE incident_events_v2 RENAME TO incident_events`,
      `CREATE TABLE label_feedback_v2 (
        tenant TEXT NOT NULL,
        call_id TEXT NOT NULL,
        epoch TEXT NOT NULL,
        segment_id TEXT NOT NULL,
        by_name TEXT NOT NULL,
        at BIGINT NOT NULL,
        speaker TEXT NOT NULL,
        text TEXT NOT NULL,
        model_label TEXT,
        label TEXT NOT NULL,
        PRIMARY KEY (tenant, call_id, epoch, segment_id, by_name)
      )`,
      `INSERT INTO label_feedback_v2 (tenant, call_id, epoch, segment_id, by_name, at, speaker, text, model_label, label)
        SELECT tenant, call_id, '', segment_id, by_name, at, speaker, text, model_label, label FROM label_feedback`,
      `DROP TABLE label_feedback`,
      `ALTER TABLE label_feedback_v2 RENAME TO label_feedback`,
      `CREATE INDEX label_feedback_by_time ON label_feedback (at)`,
    ],
  },
];
