import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallScript, callEnded, subscribe } from '../helpers/calls.js';
import { chunkWith, invalidMessage } from '../helpers/refused-input.js';
import { startServer, TOKENS, type TestServer } from '../helpers/server.js';
import { until } from '../helpers/until.js';
import { TestClient } from '../helpers/ws-client.js';

let server: TestServer;
let producer: TestClient;
let watcher: TestClient;
let healthy: CallScript;

beforeAll(async () => {
  server = await startServer({ MAX_PAYLOAD_BYTES: '4096', INGEST_RATE_PER_SEC: '1', INGEST_BURST: '200' });
  producer = await TestClient.connect(`${server.ws}/v1/ingest`, TOKENS.ingest);
  watcher = await TestClient.connect(`${server.ws}/v1/subscribe`, TOKENS.supervisor);
  await subscribe(watcher, { tenant: true });
  // A call that keeps going while other input is rejected around it.
  healthy = new CallScript(producer, 'healthy');
  await healthy.start();
  await healthy.customer('you are a useless idiot');
});

afterAll(async () => {
  producer.close();
  watcher.close();
  await server.close();
});

describe('bad input is answered and harms nothing else', () => {
  it('names the problem in malformed messages and keeps the connection open', async () => {
    producer.send('{not json');
    expect(await producer.next((m) => m.type === 'error')).toMatchObject({ code: 'bad_json' });

    producer.send({ type: 'call.explode', id: 'e1' });
    expect(await producer.next((m) => m.id === 'e1')).toMatchObject({
      code: 'invalid_message',
      message: expect.stringContaining('type:'),
    });

    const missing = await producer.request({
      type: 'transcript',
      id: 'e2',
      chunk: { callId: 'healthy', segmentId: 's', seq: 99, speaker: 'customer', isFinal: true, startMs: 0, endMs: 1 },
    });
    expect(missing).toMatchObject(invalidMessage('chunk.text'));

    const badSpeaker = await producer.request({
      type: 'transcript',
      id: 'e3',
      chunk: chunkWith('healthy', { seq: 99, speaker: 'robot' }),
    });
    expect(badSpeaker.message).toContain('chunk.speaker');

    const noCall = await producer.request({
      type: 'transcript',
      id: 'e4',
      chunk: chunkWith('nope'),
    });
    expect(noCall).toMatchObject({ code: 'unknown_call', message: expect.stringContaining('callId') });

    const noAgent = await producer.request({ type: 'call.start', id: 'e5', callId: 'x' });
    expect(noAgent.message).toContain('agentId');

    await healthy.customer('are you a moron or just pretending');
    await watcher.next((m) => m.type === 'cue' && m.cue.callId === 'healthy' && m.cue.type === 'warn');
  });

  it('acks duplicate and stale chunks without classifying them again', async () => {
    const call = new CallScript(producer, 'dupes');
    await call.start();
    const chunk = { callId: 'dupes', segmentId: 'seg-1', speaker: 'customer', startMs: 0, endMs: 900 };
    const send = (id: string, seq: number, isFinal: boolean, text: string) =>
      producer.request({ type: 'transcript', id, chunk: { ...chunk, seq, isFinal, text } });
    expect((await send('d1', 2, false, 'you are a')).status).toBe('accepted');
    expect((await send('d2', 1, false, 'you')).status).toBe('stale');
    expect((await send('d3', 3, true, 'you are a useless idiot')).status).toBe('accepted');
    expect((await send('d4', 3, true, 'you are a useless idiot')).status).toBe('duplicate');
    expect((await send('d5', 4, false, 'you are')).status).toBe('stale');
    await call.end();
    await callEnded(watcher, 'dupes');
    expect(watcher.cues('dupes').map((c) => c.type)).toEqual(['set-limit', 'break-debrief']);
  });

  it('closes an oversized frame with 1009, and the other calls go on', async () => {
    const big = await TestClient.connect(`${server.ws}/v1/ingest`, TOKENS.ingest);
    big.send({
      type: 'call.start',
      callId: 'big',
      agentId: 'a',
      metadata: { note: 'x'.repeat(200) },
      padding: 'y'.repeat(8000),
    });
    expect((await big.closed).code).toBe(1009);
    await healthy.customer('you useless idiot');
    await watcher.next((m) => m.type === 'cue' && m.cue.callId === 'healthy' && m.cue.type === 'transfer');
  });

  it('refuses connections without a valid token or the right scope', async () => {
    await expect(TestClient.connect(`${server.ws}/v1/ingest`)).rejects.toThrow('401');
    await expect(TestClient.connect(`${server.ws}/v1/ingest`, 'not-a-real-token-at-all')).rejects.toThrow('401');
    await expect(TestClient.connect(`${server.ws}/v1/ingest`, TOKENS.agent)).rejects.toThrow('403');
    await expect(TestClient.connect(`${server.ws}/v1/subscribe`, TOKENS.ingest)).rejects.toThrow('403');
    await expect(TestClient.connect(`${server.ws}/v1/ingest?format=carrier-pigeon`, TOKENS.ingest)).rejects.toThrow(
      '400',
    );
    const viaQuery = await TestClient.connect(`${server.ws}/v1/subscribe?token=${TOKENS.agent}`);
    viaQuery.close();
  });

  it('keeps each tenant to its own calls on ingest', async () => {
    const other = await TestClient.connect(`${server.ws}/v1/ingest`, TOKENS.otherIngest);
    const reply = await other.request({ type: 'call.end', id: 'o1', callId: 'healthy' });
    expect(reply).toMatchObject({ type: 'error', code: 'unknown_call' });
    other.close();
  });

  it('reads no frame over 4 KiB refused for the rate: its refusal echoes no id', async () => {
    const own = await startServer({ INGEST_RATE_PER_SEC: '1', INGEST_BURST: '1' });
    try {
      const producer = await TestClient.connect(`${own.ws}/v1/ingest`, TOKENS.ingest);
      producer.send({ type: 'call.end', id: 'first', callId: 'none' });
      producer.send({ type: 'call.end', id: 'large', callId: 'none', padding: 'x'.repeat(5000) });
      producer.send({ type: 'call.end', id: 'small', callId: 'none' });
      await until(() => producer.received.length === 3);
      expect(producer.received.map((m) => [m.code, m.id])).toEqual([
        ['unknown_call', 'first'],
        ['rate_limited', undefined],
        ['rate_limited', 'small'],
      ]);
      producer.close();
    } finally {
      await own.close();
    }
  });

  it('rate limits a flooding connection without closing it, each refusal echoing its message id', async () => {
    const flood = await TestClient.connect(`${server.ws}/v1/ingest`, TOKENS.ingest);
    const ids = Array.from({ length: 210 }, (_, i) => `f${i}`);
    for (const id of ids) flood.send({ type: 'call.end', id, callId: 'none' });
    flood.send('{not json');
    await until(() => flood.received.length === ids.length + 1);
    const limited = flood.received.filter((m) => m.code === 'rate_limited');
    expect(limited.length).toBeGreaterThan(1);
    // Every message that parses is answered under its id; the frame that does not is refused by the rate first.
    expect(flood.received.map((m) => m.id).sort()).toEqual([...ids.sort(), undefined]);
    expect(flood.received.find((m) => m.id === undefined)).toMatchObject({ type: 'error', code: 'rate_limited' });
    expect(flood.socket.readyState).toBe(flood.socket.OPEN);
    flood.close();
  });
});
