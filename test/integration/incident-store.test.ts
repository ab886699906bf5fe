import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IncidentStore, type RecordWrite } from '../../src/record/incident-store.js';
import { openPostgres } from '../../src/record/postgres-driver.js';
import type { SqlDriver } from '../../src/record/sql-driver.js';
import { openSqlite } from '../../src/record/sqlite-driver.js';
import { MIGRATIONS } from '../../src/record/migrations.js';
import { POSTGRES_MISSING, startPostgres, type TestPostgres } from '../helpers/postgres.js';

if (POSTGRES_MISSING) console.warn(`incident store on PostgreSQL skipped: ${POSTGRES_MISSING}`);

const incident = (callId: string, at: number, cueType: string, extra: Partial<RecordWrite> = {}): RecordWrite =>
  ({
    kind: 'incident',
    tenant: 'acme',
    callId,
    epoch: 'e1',
    agentId: `agent-${callId}`,
    teamId: 'team-a',
    startedAt: at - 1000,
    at,
    cueType,
    ...extra,
  }) as RecordWrite;
const line = (callId: string, segmentId: string, at: number, text: string, tenant = 'acme'): RecordWrite => ({
  kind: 'event',
  tenant,
  callId,
  epoch: 'e1',
  key: `line:${segmentId}`,
  at,
  type: 'line',
  data: { segmentId, speaker: 'customer', text },
});

interface Backend {
  name: string;
  missing: string | undefined;
  /** `driver`: the store's own, for writing a database as an older version left it. */
  open(): Promise<{ store: IncidentStore; driver: SqlDriver; dispose(): Promise<void> }>;
}

const sqlite: Backend = {
  name: 'SQLite',
  missing: undefined,
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'call-guard-store-'));
    const driver = openSqlite(join(dir, 'record.db'));
    return {
      store: new IncidentStore(driver),
      driver,
      dispose: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
};

let server: TestPostgres | undefined;
const postgres: Backend = {
  name: 'PostgreSQL',
  missing: POSTGRES_MISSING,
  async open() {
    server ??= await startPostgres();
    const driver = openPostgres(server.url);
    return {
      store: new IncidentStore(driver),
      driver,
      async dispose() {
        const reset = openPostgres(server!.url);
        await reset.run('DROP TABLE IF EXISTS incidents, incident_events, label_feedback, schema_migrations');
        await reset.close();
      },
    };
  },
};

afterAll(async () => server?.stop());

describe.each([sqlite, postgres])('the incident store on $name', (backend) => {
  let store: IncidentStore;
  let dispose: () => Promise<void>;

  beforeAll(async () => {
    if (backend.missing) return;
    ({ store, dispose } = await backend.open());
    await store.migrate();
  }, 60_000);

  afterAll(async () => {
    if (backend.missing) return;
    await store.close();
    await dispose();
  });

  it.skipIf(backend.missing)('migrates to the newest version, and migrating again changes nothing', async () => {
    await store.migrate();
    expect(await store.schemaVersion()).toBe(MIGRATIONS.at(-1)!.version);
  });

  it.skipIf(backend.missing)(
    'keeps each incident once, however often its writes are replayed, with every cue type raised',
    async () => {
      const batch = [
        incident('c1', 1000, 'set-limit'),
        line('c1', 's1', 1000, 'you useless idiot'),
        incident('c1', 2000, 'warn'),
      ];
      await store.write(batch);
      await store.write(batch);
      await store.write([{ kind: 'ended', tenant: 'acme', callId: 'c1', epoch: 'e1', at: 3000 }]);
      const got = await store.get('acme', 'c1');
      expect(got).toMatchObject({
        callId: 'c1',
        agentId: 'agent-c1',
        teamId: 'team-a',
        firstIncidentAt: 1000,
        endedAt: 3000,
        cueTypes: ['set-limit', 'warn'],
      });
      expect(got!.timeline).toEqual([
        { at: 1000, kind: 'line', data: { segmentId: 's1', speaker: 'customer', text: 'you useless idiot' } },
      ]);
    },
  );

  it.skipIf(backend.missing)('puts a line before a cue emitted in the millisecond it was received', async () => {
    await store.write([
      incident('t1', 1000, 'set-limit'),
      { kind: 'event', tenant: 'acme', callId: 't1', epoch: 'e1', key: 'cue:e1:1', at: 1000, type: 'cue', data: {} },
      line('t1', 's1', 1000, 'you useless idiot'),
    ]);
    expect((await store.get('acme', 't1'))!.timeline.map((e) => e.kind)).toEqual(['line', 'cue']);
  });

  it.skipIf(backend.missing)('lists newest first with filters and cursor paging, scoped to the tenant', async () => {
    await store.write([
      incident('p1', 10_000, 'safety-alert'),
      incident('p2', 11_000, 'set-limit', { agentId: 'agent-x' } as Partial<RecordWrite>),
      incident('p3', 12_000, 'ask-meaning'),
      { ...incident('p4', 13_000, 'set-limit'), tenant: 'globex' } as RecordWrite,
    ]);
    const first = await store.list('acme', { from: 10_000, limit: 2 });
    expect(first.incidents.map((i) => i.callId)).toEqual(['p3', 'p2']);
    const second = await store.list('acme', { from: 10_000, limit: 2, cursor: first.nextCursor! });
    expect(second.incidents.map((i) => i.callId)).toEqual(['p1']);
    expect(second.nextCursor).toBeUndefined();
    expect((await store.list('acme', { cueType: 'safety-alert' })).incidents.map((i) => i.callId)).toEqual(['p1']);
    expect((await store.list('acme', { agentId: 'agent-x' })).incidents.map((i) => i.callId)).toEqual(['p2']);
    expect((await store.list('acme', { from: 10_000, to: 12_000 })).incidents.map((i) => i.callId)).toEqual([
      'p2',
      'p1',
    ]);
    expect((await store.list('globex', {})).incidents.map((i) => i.callId)).toEqual(['p4']);
    expect(await store.get('globex', 'p1')).toBeUndefined();
  });

  it.skipIf(backend.missing)(
    'stores corrections with who and when, shows them in the timeline, and exports them',
    async () => {
      await store.write([incident('f1', 20_000, 'set-limit'), line('f1', 's9', 20_000, 'you clown')]);
      const correction = {
        tenant: 'acme',
        callId: 'f1',
        epoch: 'e1',
        segmentId: 's9',
        by: 'sup-ana',
        at: 21_000,
        speaker: 'customer',
        text: 'you clown',
        modelLabel: 'abusive' as const,
        label: 'venting' as const,
      };
      await store.addFeedback(correction);
      await store.addFeedback({ ...correction, at: 22_000, label: 'neutral' });
      expect((await store.get('acme', 'f1'))!.timeline.at(-1)).toMatchObject({
        at: 22_000,
        kind: 'feedback',
        data: { by: 'sup-ana', label: 'neutral' },
      });
      expect((await store.feedback('acme')).filter((f) => f.callId === 'f1')).toEqual([
        { ...correction, at: 22_000, label: 'neutral' },
      ]);
      expect(await store.feedback('globex')).toEqual([]);
    },
  );

  it.skipIf(backend.missing)('deletes one call of one tenant, and purges what is past retention', async () => {
    await store.write([
      incident('d1', 30_000, 'warn'),
      line('d1', 's1', 30_000, 'x'),
      { ...incident('d1', 30_000, 'warn'), tenant: 'globex' } as RecordWrite,
    ]);
    expect(await store.deleteCall('acme', 'd1')).toBe(true);
    expect(await store.deleteCall('acme', 'd1')).toBe(false);
    expect(await store.get('acme', 'd1')).toBeUndefined();
    expect(await store.get('globex', 'd1')).toBeDefined();
    await store.write([incident('old', 100, 'warn'), line('old', 's1', 100, 'x')]);
    expect(await store.purge(5_000)).toBeGreaterThanOrEqual(1);
    expect(await store.get('acme', 'old')).toBeUndefined();
    expect(await store.get('acme', 'p1')).toBeDefined();
  });

  it.skipIf(backend.missing)(
    'keeps two calls of one call id apart by epoch: listed, paged, read and deleted each on its own',
    async () => {
      const again = (epoch: string, text: string): RecordWrite[] => [
        { ...incident('r1', 40_000, 'set-limit'), epoch } as RecordWrite,
        { ...line('r1', 's1', 40_000, text), epoch } as RecordWrite,
        { kind: 'ended', tenant: 'acme', callId: 'r1', epoch, at: 41_000 },
      ];
      await store.write([...again('eA', 'first call'), ...again('eB', 'second call')]);
      const calls = (await store.list('acme', { from: 40_000, to: 40_001 })).incidents;
      expect(calls.map((i) => [i.callId, i.epoch])).toEqual([
        ['r1', 'eB'],
        ['r1', 'eA'],
      ]);
      const page = await store.list('acme', { from: 40_000, to: 40_001, limit: 1 });
      const next = await store.list('acme', { from: 40_000, to: 40_001, limit: 1, cursor: page.nextCursor! });
      expect([...page.incidents, ...next.incidents].map((i) => i.epoch)).toEqual(['eB', 'eA']);
      const textOf = async (epoch: string) => (await store.get('acme', 'r1', epoch))!.timeline.map((e) => e.data.text);
      expect(await textOf('eA')).toEqual(['first call']);
      expect(await textOf('eB')).toEqual(['second call']);
      expect(await store.deleteCall('acme', 'r1', 'eA')).toBe(true);
      expect(await store.get('acme', 'r1', 'eA')).toBeUndefined();
      expect(await store.get('acme', 'r1')).toMatchObject({ epoch: 'eB', endedAt: 41_000 });
    },
  );
});

describe.each([sqlite, postgres])('a version-1 record on $name', (backend) => {
  it.skipIf(backend.missing)(
    'is brought forward: its incidents, timelines and corrections kept, with an empty epoch',
    async () => {
      const { store, driver, dispose } = await backend.open();
      try {
        await driver.run('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
        for (const statement of MIGRATIONS[0]!.statements) await driver.run(statement);
        await driver.run('INSERT INTO schema_migrations (version, applied_at) VALUES (1, 0)');
        await driver.run(
          `INSERT INTO incidents (tenant, call_id, agent_id, team_id, started_at, first_incident_at, ended_at, cue_types, updated_at)
         VALUES ('acme', 'v1', 'a1', NULL, 1, 2, 3, ',warn,', ?)`,
          [Date.now()],
        );
        await driver.run(
          `INSERT INTO incident_events (tenant, call_id, event_key, at, kind, body) VALUES ('acme', 'v1', 'line:s1', 2, 'line', ?)`,
          [JSON.stringify({ segmentId: 's1', text: 'you clown' })],
        );
        await driver.run(
          `INSERT INTO label_feedback (tenant, call_id, segment_id, by_name, at, speaker, text, model_label, label)
         VALUES ('acme', 'v1', 's1', 'ana', 4, 'customer', 'you clown', 'abusive', 'venting')`,
        );
        await store.migrate();
        expect(await store.schemaVersion()).toBe(MIGRATIONS.at(-1)!.version);
        const { incidents } = await store.list('acme', {});
        expect(incidents).toEqual([
          { callId: 'v1', epoch: '', agentId: 'a1', startedAt: 1, firstIncidentAt: 2, endedAt: 3, cueTypes: ['warn'] },
        ]);
        expect((await store.get('acme', 'v1', ''))!.timeline.map((e) => [e.kind, e.data.text])).toEqual([
          ['line', 'you clown'],
          ['feedback', 'you clown'],
        ]);
        await store.write([{ ...incident('v1', 5, 'set-limit'), epoch: 'e2' } as RecordWrite]);
        expect((await store.list('acme', {})).incidents.map((i) => i.epoch)).toEqual(['e2', '']);
      } finally {
        await store.close();
        await dispose();
      }
    },
  );
});
