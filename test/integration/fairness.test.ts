import { afterEach, describe, expect, it } from 'vitest';
import type { Classifier } from '../../src/classifier/classifier.js';
import { BatchingKeywords } from '../helpers/batching-keywords.js';
import { CallScript, subscribe } from '../helpers/calls.js';
import { startServer, TOKENS, type TestServer } from '../helpers/server.js';
import { until } from '../helpers/until.js';
import { TestClient } from '../helpers/ws-client.js';

let server: TestServer | undefined;
const clients: TestClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await server?.close();
});

async function connect(path: string, token: string): Promise<TestClient> {
  const client = await TestClient.connect(`${server!.ws}${path}`, token);
  clients.push(client);
  return client;
}

describe('sharing the classifier between tenants', () => {
  it('classifies every final of a quiet tenant while another floods the queue', { timeout: 15_000 }, async () => {
    const classifier = new BatchingKeywords({ batchMaxSize: 4, queueMax: 16, gated: true });
    server = await startServer({ INGEST_RATE_PER_SEC: '100000', INGEST_BURST: '100000' }, classifier);
    const flooder = await connect('/v1/ingest', TOKENS.otherIngest);
    const flood = new CallScript(flooder, 'flood');
    await flood.start();
    for (let i = 0; i < 200; i++)
      flooder.send({
        type: 'transcript',
        chunk: {
          callId: 'flood',
          segmentId: `f${i}`,
          seq: i,
          speaker: 'customer',
          isFinal: true,
          text: `this is long line number ${i}`,
          startMs: i,
          endMs: i,
        },
      });
    await until(() => (classifier.waiting.get('globex') ?? 0) >= 16, 5000);

    const producer = await connect('/v1/ingest', TOKENS.ingest);
    const ui = await connect('/v1/subscribe', TOKENS.agent);
    await subscribe(ui, { callId: 'quiet' }, { transcript: true });
    const quiet = new CallScript(producer, 'quiet');
    await quiet.start();
    const lines = [
      'i want to cancel',
      'you are useless',
      'this is ridiculous',
      'my router is dead all week',
      'you idiot',
      'please help',
    ];
    for (const line of lines) expect(await quiet.customer(line)).toMatchObject({ status: 'accepted' });
    // Before the fix, the flood kept the queue full and these waited in vain for ~3 s, then were dropped.
    await until(() => classifier.waiting.get('acme') === lines.length, 4000);
    classifier.release();
    const labelled = [];
    for (let i = 0; i < lines.length; i++)
      labelled.push(await ui.next((m) => m.type === 'transcript' && m.isFinal && m.label !== undefined));
    expect(labelled.map((m) => m.text)).toEqual(lines);
    expect(ui.received.filter((m) => m.type === 'unclassified')).toEqual([]);
  });

  it('labels a quiet tenant’s partials while another keeps the queue full with POST /v1/classify', async () => {
    const classifier = new BatchingKeywords({ batchMaxSize: 4, queueMax: 16, gated: true });
    server = await startServer({ PARTIAL_DEBOUNCE_MS: '0' }, classifier);
    const bulk = fetch(`${server.http}/v1/classify`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS.otherIngest}`, 'content-type': 'application/json' },
      body: JSON.stringify({ texts: Array.from({ length: 20 }, (_, i) => `bulk text ${i}`) }),
    });
    // One batch of 4 runs (held), 16 wait: the queue is full.
    await until(() => classifier.waiting.get('globex') === 20, 5000);

    const producer = await connect('/v1/ingest', TOKENS.ingest);
    const ui = await connect('/v1/subscribe', TOKENS.agent);
    await subscribe(ui, { callId: 'quiet' }, { transcript: true });
    const quiet = new CallScript(producer, 'quiet');
    await quiet.start();
    expect(await quiet.say('customer', 'you are useless', false)).toMatchObject({ status: 'accepted' });
    // Before the fix, bulk texts queued as finals and a partial could not push them out: it was refused.
    await until(() => classifier.waiting.get('acme') === 1, 4000);
    classifier.release();
    expect(await ui.next((m) => m.type === 'transcript' && !m.isFinal && m.label !== undefined)).toMatchObject({
      text: 'you are useless',
      label: 'abusive',
    });
    // The bulk request gave up one text to the quiet tenant, and is told to retry.
    expect((await bulk).status).toBe(503);
  });

  it('tells the call’s subscribers, and counts, when an accepted final cannot be classified', async () => {
    const failing: Classifier = { classify: () => Promise.reject(new Error('model crashed')), close: async () => {} };
    server = await startServer({}, failing);
    const producer = await connect('/v1/ingest', TOKENS.ingest);
    const ui = await connect('/v1/subscribe', TOKENS.agent);
    await subscribe(ui, { callId: 'lost' });
    const call = new CallScript(producer, 'lost');
    await call.start();
    expect(await call.customer('you are an idiot')).toMatchObject({ status: 'accepted' });
    expect(await ui.next((m) => m.type === 'unclassified')).toEqual({
      type: 'unclassified',
      callId: 'lost',
      segmentId: 'lost-s0',
      speaker: 'customer',
      startMs: 0,
      endMs: 2500,
      reason: 'failed',
    });
    const metrics = await (await fetch(`${server.http}/metrics`)).text();
    expect(metrics).toContain('callguard_finals_unclassified_total{reason="failed"} 1');
  });
});

describe('sharing the ingest between tenants', () => {
  const metric = async (name: string): Promise<number> => {
    const line = (await (await fetch(`${server!.http}/metrics`)).text()).split('\n').find((l) => l.startsWith(name));
    return line === undefined ? 0 : Number(line.split(' ')[1]);
  };

  it('holds back a tenant flooding from several connections, so another tenant’s call is served meanwhile, and loses none of the flood', async () => {
    // Held longer than a heartbeat at a time: a held connection's pongs go unread, and it must not be dropped for it.
    server = await startServer({
      TENANT_INGEST_RATE_PER_SEC: '200',
      TENANT_INGEST_BURST: '20',
      WS_HEARTBEAT_MS: '100',
    });
    const connections = 3;
    const perConnection = 150;
    // Long partials: each connection's flood spans several reads, so holding it back shows.
    const words = 'the router has been dead all week '.repeat(90);
    const flooders = await Promise.all(Array.from({ length: connections }, () => connect('/v1/ingest', TOKENS.ingest)));
    for (const [n, flooder] of flooders.entries()) {
      await new CallScript(flooder, `flood-${n}`).start();
      for (let seq = 0; seq < perConnection; seq++)
        flooder.send({
          type: 'transcript',
          id: `f${n}-${seq}`,
          chunk: {
            callId: `flood-${n}`,
            segmentId: `s${Math.floor(seq / 10)}`,
            seq,
            speaker: 'customer',
            isFinal: false,
            text: words.slice(0, 2000 + (seq % 10) * 100),
            startMs: seq * 100,
            endMs: seq * 100 + 50,
          },
        });
    }
    const floodAcks = () =>
      flooders.reduce((sum, f) => sum + f.received.filter((m) => m.id?.startsWith('f')).length, 0);
    await until(() => floodAcks() > 0);

    const producer = await connect('/v1/ingest', TOKENS.otherIngest);
    const ui = await connect('/v1/subscribe', TOKENS.otherTenant);
    await subscribe(ui, { callId: 'quiet' });
    const quiet = new CallScript(producer, 'quiet');
    expect(await quiet.start()).toMatchObject({ type: 'ack' });
    expect(await quiet.customer('you are useless')).toMatchObject({ type: 'ack', status: 'accepted' });
    await ui.next((m) => m.type === 'cue');
    expect(floodAcks()).toBeLessThan(connections * perConnection);

    await until(() => floodAcks() === connections * perConnection, 15_000);
    for (const [n, flooder] of flooders.entries()) {
      const answers = flooder.received.filter((m) => m.id?.startsWith(`f${n}-`));
      expect(answers.map((m) => [m.type, m.seq])).toEqual(
        Array.from({ length: perConnection }, (_, seq) => ['ack', seq]),
      );
    }
    expect(await metric('callguard_tenant_ingest_pauses_total')).toBeGreaterThanOrEqual(1);
    expect(await metric('callguard_ws_closed_total')).toBe(0);
  });
});
