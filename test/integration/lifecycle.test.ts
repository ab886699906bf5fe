import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueFullError } from '../../src/classifier/index.js';
import type { Classifier } from '../../src/classifier/classifier.js';
import { CallScript, callEnded, subscribe } from '../helpers/calls.js';
import { KeywordClassifier } from '../helpers/keyword-classifier.js';
import { startServer, TOKENS, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';

describe('partials, provider formats and shutdown', () => {
  let server: TestServer;
  let classifier: KeywordClassifier;

  beforeAll(async () => {
    classifier = new KeywordClassifier();
    server = await startServer({}, classifier);
  });

  afterAll(async () => {
    await server.close();
  });

  it('labels partials for the live transcript at partial priority, and cues only on the final', async () => {
    const producer = await TestClient.connect(`${server.ws}/v1/ingest`, TOKENS.ingest);
    const ui = await TestClient.connect(`${server.ws}/v1/subscribe`, TOKENS.agent);
    await subscribe(ui, { callId: 'partials' }, { transcript: true });
    const call = new CallScript(producer, 'partials');
    await call.start();
    await call.say('customer', 'you are a useless', false, 'seg');
    const labelled = await ui.next((m) => m.type === 'transcript' && !m.isFinal && m.label !== undefined);
    expect(labelled).toMatchObject({ segmentId: 'seg', label: 'abusive' });
    expect(classifier.calls).toContainEqual({
      text: 'you are a useless',
      priority: 'partial',
      speaker: 'customer',
      context: [],
    });
    expect(ui.cues('partials')).toEqual([]);
    await call.say('customer', 'you are a useless idiot', true, 'seg');
    expect((await ui.next((m) => m.type === 'cue')).cue.type).toBe('set-limit');
    expect(classifier.calls).toContainEqual({
      text: 'you are a useless idiot',
      priority: 'final',
      speaker: 'customer',
      context: [],
    });
    await call.say('agent', 'please keep this respectful', true, 'seg-2');
    await ui.next((m) => m.type === 'transcript' && m.segmentId === 'seg-2' && m.isFinal);
    // The next final is read with the call's earlier finals, both speakers, oldest first.
    expect(classifier.calls.at(-1)).toEqual({
      text: 'please keep this respectful',
      priority: 'final',
      speaker: 'agent',
      context: [{ speaker: 'customer', text: 'you are a useless idiot' }],
    });
    await call.end();
    producer.close();
    ui.close();
  });

  it('takes a provider format on a per-call connection (Deepgram)', async () => {
    const ui = await TestClient.connect(`${server.ws}/v1/subscribe`, TOKENS.agent);
    await subscribe(ui, { callId: 'dg-1' });
    const producer = await TestClient.connect(
      `${server.ws}/v1/ingest?format=deepgram&callId=dg-1&agentId=agent-9`,
      TOKENS.ingest,
    );
    const result = (transcript: string, start: number) => ({
      type: 'Results',
      channel_index: [0, 2],
      start,
      duration: 1.5,
      is_final: true,
      speech_final: true,
      channel: { alternatives: [{ transcript, confidence: 0.9, words: [] }] },
    });
    producer.send(result('you are a useless idiot', 1));
    expect((await ui.next((m) => m.type === 'cue')).cue).toMatchObject({
      type: 'set-limit',
      callId: 'dg-1',
      agentId: 'agent-9',
    });
    producer.send({ type: 'Results', channel_index: 'zero' });
    expect(await producer.next((m) => m.type === 'error')).toMatchObject({
      code: 'invalid_message',
      message: expect.stringContaining('deepgram'),
    });
    producer.send({ type: 'call.end', callId: 'dg-1' });
    await callEnded(ui, 'dg-1');
    producer.close();
    ui.close();
  });

  it('rejects a provider connection without its call parameters', async () => {
    const producer = await TestClient.connect(`${server.ws}/v1/ingest?format=deepgram`, TOKENS.ingest);
    expect(await producer.next((m) => m.type === 'error')).toMatchObject({
      message: expect.stringContaining('callId'),
    });
    expect((await producer.closed).code).toBe(1008);
  });

  it('retries a final that the classifier’s full queue turns away, instead of dropping it', async () => {
    const keywords = new KeywordClassifier();
    let refusals = 3;
    const overloaded: Classifier = {
      classify: (text, priority, speaker) =>
        refusals-- > 0 ? Promise.reject(new QueueFullError(1)) : keywords.classify(text, priority, speaker),
      close: async () => {},
    };
    const own = await startServer({}, overloaded);
    try {
      const producer = await TestClient.connect(`${own.ws}/v1/ingest`, TOKENS.ingest);
      const ui = await TestClient.connect(`${own.ws}/v1/subscribe`, TOKENS.agent);
      await subscribe(ui, { callId: 'busy' });
      const call = new CallScript(producer, 'busy');
      await call.start();
      await call.customer('you are a useless idiot');
      expect((await ui.next((m) => m.type === 'cue')).cue.type).toBe('set-limit');
      expect(refusals).toBe(-1);
      for (const client of [producer, ui]) client.close();
    } finally {
      await own.close();
    }
  });

  it('on shutdown flushes the cues of what was received, then closes sockets with 1001', async () => {
    const own = await startServer();
    const producer = await TestClient.connect(`${own.ws}/v1/ingest`, TOKENS.ingest);
    const ui = await TestClient.connect(`${own.ws}/v1/subscribe`, TOKENS.agent);
    await subscribe(ui, { callId: 'bye' });
    const call = new CallScript(producer, 'bye');
    await call.start();
    // Not awaited: the final is still in the classifier when the shutdown starts.
    producer.send({
      type: 'transcript',
      chunk: {
        callId: 'bye',
        segmentId: 'last',
        seq: 1,
        speaker: 'customer',
        isFinal: true,
        text: 'you are a useless idiot',
        startMs: 0,
        endMs: 1,
      },
    });
    await producer.next((m) => m.type === 'ack' && m.of === 'transcript');
    const closing = own.close();
    expect((await ui.closed).code).toBe(1001);
    expect(ui.cues('bye').map((c) => c.type)).toEqual(['set-limit']);
    expect((await producer.closed).code).toBe(1001);
    await closing;
  });
});
