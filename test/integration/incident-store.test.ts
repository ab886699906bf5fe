import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IncidentStore, type RecordWrite } from '../../src/record/incident-store.js';
import { openPostgres } from '../../src/record/postgres-driver.js';
import { openSqlite } from '../../src/record/sqlite-driver.js';
import { MIGRATIONS } from '../../src/record/migrations.js';
import { POSTGRES_MISSING, startPostgres, type TestPostgres } from '../helpers/postgres.js';

if (POSTGRES_MISSING) console.warn(`incident store on PostgreSQL skipped: ${POSTGRES_MISSING}`);

const incident = (callId: string, at: number, cueType: string, extra: Partial<RecordWrite> = {}): RecordWrite =>
  ({
    kind: 'incident',
    tenant: 'acme',
    callId,
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
  key: `line:${segmentId}`,
  at,
  type: 'line',
  data: { segmentId, speaker: 'customer', text },
});

interface Backend {
  name: string;
  missing: string | undefined;
  open(): Promise<{ store: IncidentStore; dispose(): Promise<void> }>;
}

const sqlite: Backend = {
  name: 'SQLite',
  missing: undefined,
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'call-guard-store-'));
    const store = new IncidentStore(openSqlite(join(dir, 'record.db')));
    return { store, dispose: async () => rmSync(dir, { recursive: true, force: true }) };
  },
};

let server: TestPostgres | undefined;
const postgres: Backend = {
  name: 'PostgreSQL',
  missing: POSTGRES_MISSING,
  async open() {
    server ??= await startPostgres();
    const store = new IncidentStore(openPostgres(server.url));
    return {
      store,
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
      await store.write([{ kind: 'ended', tenant: 'acme', callId: 'c1', at: 3000 }]);
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
      { kind: 'event', tenant: 'acme', callId: 't1', key: 'cue:e1:1', at: 1000, type: 'cue', data: {} },
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
});
