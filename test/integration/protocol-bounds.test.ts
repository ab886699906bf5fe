import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Classifier } from '../../src/classifier/classifier.js';
import { loadConfig } from '../../src/config.js';
import { buildServer } from '../../src/server.js';
import { CallScript, subscribe } from '../helpers/calls.js';
import { GatedClassifier } from '../helpers/gated-classifier.js';
import { KeywordClassifier } from '../helpers/keyword-classifier.js';
import { chunkWith, invalidMessage } from '../helpers/refused-input.js';
import { startServer, TOKEN_CONFIG, TOKENS, type TestServer } from '../helpers/server.js';
import { until } from '../helpers/until.js';
import { TestClient } from '../helpers/ws-client.js';

let server: TestServer;
let producer: TestClient;

beforeAll(async () => {
  server = await startServer();
  producer = await TestClient.connect(`${server.ws}/v1/ingest`, TOKENS.ingest);
});

afterAll(async () => {
  producer.close();
  await server.close();
});

describe('bounds on numbers and ids', () => {
  it('refuses seq, startMs and endMs beyond their bounds, naming the field', async () => {
    await new CallScript(producer, 'bounds').start();
    const cases: [Record<string, unknown>, string][] = [
      [{ seq: 1e308 }, 'chunk.seq'],
      [{ seq: 2 ** 53 }, 'chunk.seq'],
      [{ startMs: 2 ** 31 }, 'chunk.startMs'],
      [{ endMs: 1e308 }, 'chunk.endMs'],
    ];
    for (const [extra, field] of cases) {
      const reply = await producer.request({
        type: 'transcript',
        id: `b-${field}-${String(Object.values(extra)[0])}`,
        chunk: chunkWith('bounds', extra),
      });
      expect(reply).toMatchObject(invalidMessage(field));
    }
    expect(
      await producer.request({
        type: 'transcript',
        id: 'b-ok',
        chunk: chunkWith('bounds', { seq: 2 ** 40, endMs: 2 ** 31 - 1 }),
      }),
    ).toMatchObject({ type: 'ack', status: 'accepted' });
  });

  it('refuses ids holding control or bidi characters', async () => {
    for (const callId of ['nul\u0000id', 'evil\u202Egnp.exe', 'zero\u200Bwidth', 'line\nbreak']) {
      const reply = await producer.request({
        type: 'call.start',
        id: `i-${callId.length}-${callId.charCodeAt(4)}`,
        callId,
        agentId: 'a',
      });
      expect(reply).toMatchObject(invalidMessage('callId'));
    }
    const reply = await producer.request({
      type: 'call.start',
      id: 'i-agent',
      callId: 'fine-id',
      agentId: 'agent\u2066x',
    });
    expect(reply.message).toContain('agentId');
    expect(
      await producer.request({ type: 'call.start', id: 'i-ok', callId: 'café-№7 (ok)', agentId: 'a' }),
    ).toMatchObject({ type: 'ack' });
  });
});

describe('subscriber messages', () => {
  it('delivers each event once to a socket whose subscriptions overlap', async () => {
    const ui = await TestClient.connect(`${server.ws}/v1/subscribe`, TOKENS.supervisor);
    await subscribe(ui, { callId: 'overlap' }, { transcript: true });
    await subscribe(ui, { agentId: 'agent-o' }, { transcript: true });
    await subscribe(ui, { tenant: true });
    const call = new CallScript(producer, 'overlap');
    await call.start('agent-o');
    await call.customer('you are a useless idiot');
    await call.end();
    await ui.next((m) => m.type === 'call' && m.event === 'ended' && m.call.callId === 'overlap');
    const kinds = ui.received
      .filter((m) => m.type !== 'subscribed')
      .map((m) => (m.type === 'call' ? `call ${m.event}` : m.type === 'cue' ? `cue ${m.cue.seq}` : m.type));
    expect(kinds).toEqual(['call started', 'transcript', 'cue 1', 'cue 2', 'call ended']);
    ui.close();
  });

  it('answers a malformed alert.claim about its own fields, and lists alert.claim among the types', async () => {
    const ui = await TestClient.connect(`${server.ws}/v1/subscribe`, TOKENS.supervisor);
    const claim = await ui.request({ type: 'alert.claim', id: 'c1', callId: 'x' });
    expect(claim).toMatchObject({ type: 'error', code: 'invalid_message', message: expect.stringMatching(/^seq: /) });
    const unknown = await ui.request({ type: 'alert.take', id: 'c2' });
    expect(unknown.message).toBe('type: expected one of subscribe, unsubscribe, agent.ack, alert.claim');
    ui.close();
  });
});

/** A server logging at info into `lines`, one parsed object per line; its WebSocket base URL. */
async function loggingServer(
  lines: Record<string, unknown>[],
  env: Record<string, string>,
  classifier: Classifier = new KeywordClassifier(),
): Promise<{ app: FastifyInstance; ws: string }> {
  const stream = new Writable({
    write(data: Buffer, _encoding, done) {
      for (const line of data.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', AUTH_TOKENS: TOKEN_CONFIG, RECORD: 'off', ...env });
  const app = await buildServer({ config, classifier, logger: { level: 'info', stream } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, ws: `ws://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
}

/** The keyword classifier, failing on lines that say "unreadable". */
class FailingOnUnreadable extends KeywordClassifier {
  override classify(...args: Parameters<KeywordClassifier['classify']>): ReturnType<KeywordClassifier['classify']> {
    if (args[0].includes('unreadable')) return Promise.reject(new Error('the model failed'));
    return super.classify(...args);
  }
}

describe('logging and shutdown', () => {
  it('logs a frame that breaks the protocol as one warning without a stack', async () => {
    const lines: Record<string, unknown>[] = [];
    const { app, ws } = await loggingServer(lines, { MAX_PAYLOAD_BYTES: '1024' });
    try {
      const big = await TestClient.connect(`${ws}/v1/ingest`, TOKENS.ingest);
      big.send('x'.repeat(4096));
      expect((await big.closed).code).toBe(1009);
      await new Promise((resolve) => setImmediate(resolve));
      const about = lines.filter((line) => JSON.stringify(line).includes('Max payload size exceeded'));
      expect(about).toHaveLength(1);
      expect(about[0]).toMatchObject({ level: 40 });
      expect(JSON.stringify(about[0])).not.toContain('stack');
    } finally {
      await app.close();
    }
  });

  it('names the tenant beside the call id in a call’s log lines, the same id in two tenants told apart', async () => {
    const lines: Record<string, unknown>[] = [];
    const { app, ws } = await loggingServer(lines, { ORPHAN_CALL_TIMEOUT_MS: '20' }, new FailingOnUnreadable());
    const about = (msg: string) => lines.filter((line) => line.msg === msg);
    try {
      for (const token of [TOKENS.ingest, TOKENS.otherIngest]) {
        const producer = await TestClient.connect(`${ws}/v1/ingest`, token);
        const call = new CallScript(producer, 'same-id');
        await call.start();
        await call.customer('an unreadable line from the caller');
        producer.close();
      }
      const unclassified = 'final segment could not be classified; subscribers are told';
      const expired = 'call ended by the service';
      await until(() => about(unclassified).length === 2 && about(expired).length === 2);
      for (const msg of [unclassified, expired]) {
        const named = about(msg).map(({ tenant, callId }) => ({ tenant, callId }));
        expect(named).toEqual(
          expect.arrayContaining([
            { tenant: 'acme', callId: 'same-id' },
            { tenant: 'globex', callId: 'same-id' },
          ]),
        );
      }
      expect(JSON.stringify(lines)).not.toContain('unreadable line');
    } finally {
      await app.close();
    }
  });

  it("logs each safety alert at warn, naming the call and never the customer's words or a token", async () => {
    const lines: Record<string, unknown>[] = [];
    const { app, ws } = await loggingServer(lines, {});
    try {
      const ingest = await TestClient.connect(`${ws}/v1/ingest`, TOKENS.ingest);
      const ui = await TestClient.connect(`${ws}/v1/subscribe`, TOKENS.agent);
      await subscribe(ui, { callId: 'alarm' });
      const call = new CallScript(ingest, 'alarm');
      await call.start('agent-3');
      await call.customer('i know where you live');
      await ui.next((m) => m.type === 'cue' && m.cue.type === 'safety-alert');
      const alarm = () => lines.find((line) => line.msg === 'safety alert raised');
      await until(() => alarm() !== undefined);
      expect(alarm()).toMatchObject({ level: 40, tenant: 'acme', callId: 'alarm', agentId: 'agent-3' });
      const logged = JSON.stringify(lines);
      expect(logged).not.toContain('where you live');
      for (const token of Object.values(TOKENS)) expect(logged).not.toContain(token);
      ingest.close();
      ui.close();
    } finally {
      await app.close();
    }
  });

  it('answers /readyz with 503 while draining', async () => {
    const classifier = new GatedClassifier('slowly');
    const own = await startServer({}, classifier);
    const ingest = await TestClient.connect(`${own.ws}/v1/ingest`, TOKENS.ingest);
    const call = new CallScript(ingest, 'draining');
    await call.start();
    await call.customer('you idiot said slowly');
    const closing = own.close();
    const ready = await fetch(`${own.http}/readyz`);
    expect(ready.status).toBe(503);
    classifier.release();
    await closing;
  });
});
