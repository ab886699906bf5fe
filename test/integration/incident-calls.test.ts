import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallScript, callEnded, subscribe } from '../helpers/calls.js';
import { POSTGRES_MISSING, startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { startServer, TOKENS, type TestServer } from '../helpers/server.js';
import { TestClient, type Message } from '../helpers/ws-client.js';

/** Which calls the record keeps apart and what it keeps of each, against the service on either store. */
const backends = [
  { name: 'SQLite', missing: undefined },
  { name: 'PostgreSQL', missing: POSTGRES_MISSING },
];

describe.each(backends)('the incident record of each call, on $name', ({ name, missing }) => {
  let postgres: TestPostgres | undefined;
  let server: TestServer;
  let producer: TestClient;
  let watcher: TestClient;

  const get = async (path: string): Promise<{ status: number; body: any }> => {
    const response = await fetch(`${server.http}${path}`, {
      headers: { authorization: `Bearer ${TOKENS.supervisor}` },
    });
    return { status: response.status, body: response.status === 200 ? await response.json() : undefined };
  };

  /** Polls until `ready` holds of what the path answers (writes are batched off the cue path). */
  async function until(path: string, ready: (body: any) => boolean): Promise<any> {
    for (let attempt = 0; attempt < 200; attempt++) {
      const { status, body } = await get(path);
      if (status === 200 && ready(body)) return body;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`${path}: not recorded as expected`);
  }

  /** The README's worked example: the same segment ids in every run of it. */
  async function workedExample(callId: string): Promise<void> {
    const call = new CallScript(producer, callId);
    await call.start('agent-7');
    await call.say('customer', 'this is ridiculous', true, 's1');
    await call.say('customer', 'you useless idiot', true, 's2');
    await call.say('agent', 'I can only help if we keep this respectful', true, 's3');
    await call.say('customer', 'whatever you moron', true, 's4');
    await call.end();
    await callEnded(watcher, callId);
  }

  beforeAll(async () => {
    if (missing) return;
    postgres = name === 'PostgreSQL' ? await startPostgres() : undefined;
    server = await startServer({
      RECORD_CONTEXT_LINES: '5',
      ...(postgres ? { DATABASE_URL: postgres.url } : {}),
    });
    producer = await TestClient.connect(`${server.ws}/v1/ingest`, TOKENS.ingest);
    watcher = await TestClient.connect(`${server.ws}/v1/subscribe`, TOKENS.supervisor);
    await subscribe(watcher, { tenant: true }, { transcript: true });
  });

  afterAll(async () => {
    if (missing) return;
    producer.close();
    watcher.close();
    await server.close();
    await postgres?.stop();
  });

  it.skipIf(missing)(
    'keeps a call id used again after call.end as another call: its own epoch, cues from 1, its own incident and lines',
    async () => {
      await workedExample('again');
      await workedExample('again');

      const cues = watcher.received.filter((m: Message) => m.type === 'cue' && m.cue.callId === 'again');
      const [first, second] = [...new Set(cues.map((m: Message) => m.cue.epoch))];
      expect(second).toBeDefined();
      const seqsOf = (epoch: string) =>
        cues.filter((m: Message) => m.cue.epoch === epoch).map((m: Message) => m.cue.seq);
      expect(seqsOf(first)).toEqual([1, 2, 3, 4]);
      expect(seqsOf(second)).toEqual([1, 2, 3, 4]);

      const list = await until('/v1/incidents', (body) => body.incidents.length === 2);
      expect(list.incidents.map((i: any) => [i.callId, i.epoch])).toEqual([
        ['again', second],
        ['again', first],
      ]);
      for (const epoch of [first, second]) {
        const incident = await until(`/v1/incidents/again?epoch=${epoch}`, (body) => body.endedAt !== undefined);
        expect(incident).toMatchObject({ callId: 'again', epoch, cueTypes: ['set-limit', 'warn'] });
        const kept = (kind: string) => incident.timeline.filter((e: any) => e.kind === kind);
        expect(kept('line').map((e: any) => e.data.segmentId)).toEqual(['s1', 's2', 's3', 's4']);
        expect(kept('cue').map((e: any) => [e.data.epoch, e.data.seq])).toEqual([
          [epoch, 1],
          [epoch, 2],
          [epoch, 3],
          [epoch, 4],
        ]);
      }
      // Without an epoch: the newest call of that id.
      expect((await get('/v1/incidents/again')).body).toMatchObject({ epoch: second });
      const remove = await fetch(`${server.http}/v1/incidents/again?epoch=${first}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${TOKENS.supervisor}` },
      });
      expect(remove.status).toBe(204);
      expect((await get(`/v1/incidents/again?epoch=${first}`)).status).toBe(404);
      expect((await get(`/v1/incidents/again?epoch=${second}`)).status).toBe(200);
    },
  );

  it.skipIf(missing)('keeps the ladder moves the agent made before the first incident cue', async () => {
    const call = new CallScript(producer, 'moves');
    await call.start('agent-7');
    await call.ack('limit-set');
    await call.ack('warning-given');
    await call.customer('i know where you live');
    await call.end();
    await callEnded(watcher, 'moves');
    const moved = watcher.received.filter((m: Message) => m.type === 'call' && m.event === 'moved');
    expect(moved.map((m: Message) => m.call.step)).toEqual(['limit', 'warning']);
    const incident = await until('/v1/incidents/moves', (body) => body.endedAt !== undefined);
    expect(incident.cueTypes).toEqual(['safety-alert']);
    expect(incident.timeline.filter((e: any) => e.kind === 'step').map((e: any) => e.data.step)).toEqual([
      'limit',
      'warning',
    ]);
  });
});
