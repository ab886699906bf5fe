import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallScript, subscribe } from '../helpers/calls.js';
import { GatedClassifier } from '../helpers/gated-classifier.js';
import { startServer, TOKENS, type TestServer } from '../helpers/server.js';
import { postTwilioWebhook, twilioLine, twilioTime } from '../helpers/twilio.js';
import { TestClient, type Message } from '../helpers/ws-client.js';

/**
 * call.end X then call.start X while a final of X is still being classified: the old call's
 * leftover work must not end (or otherwise touch) the new call, and once enough other calls have
 * ended for the hub to forget ended ones, the new call must still take finals.
 */
let server: TestServer;
let classifier: GatedClassifier;
const clients: TestClient[] = [];
const rejections: unknown[] = [];
const onRejection = (reason: unknown): void => void rejections.push(reason);

async function connect(path: string, token: string): Promise<TestClient> {
  const client = await TestClient.connect(`${server.ws}${path}`, token);
  clients.push(client);
  return client;
}

beforeEach(async () => {
  rejections.length = 0;
  process.on('unhandledRejection', onRejection);
  classifier = new GatedClassifier('slowly');
  server = await startServer({ ENDED_CALL_RETENTION: '2' }, classifier);
});

afterEach(async () => {
  process.off('unhandledRejection', onRejection);
  for (const client of clients.splice(0)) client.close();
  await server.close();
});

/** Ends more calls than the hub keeps, so it forgets every ended call it holds. */
async function churn(producer: TestClient): Promise<void> {
  for (let i = 0; i < 3; i++) {
    const other = new CallScript(producer, `churn-${i}`);
    await other.start();
    await other.end();
  }
}

/** The new incarnation is live, takes a final and numbers its cue on; the old one's work raised nothing. */
async function expectNewCallServes(producer: TestClient, ui: TestClient, callId: string): Promise<void> {
  const supervisor = await connect('/v1/subscribe', TOKENS.supervisor);
  const { calls } = await subscribe(supervisor, { tenant: true });
  expect(calls.find((c: Message) => c.callId === callId)).toMatchObject({ ended: false });
  await producer.request({
    type: 'transcript',
    id: 'again',
    chunk: {
      callId,
      segmentId: 'new-1',
      seq: 100,
      speaker: 'customer',
      isFinal: true,
      text: 'you are an idiot',
      startMs: 60_000,
      endMs: 61_000,
    },
  });
  const cue = (await ui.next((m) => m.type === 'cue')).cue;
  expect(cue).toMatchObject({ callId, type: 'set-limit' });
  // The old call's held final and its end raised no cue into the new call.
  expect(ui.cues(callId).map((c) => c.evidence[0]?.text)).toEqual(['you are an idiot']);
  expect(rejections).toEqual([]);
}

describe('the end-then-start race', () => {
  it('over WebSocket: the new call stays live and serves; nothing crashes', async () => {
    const producer = await connect('/v1/ingest', TOKENS.ingest);
    const ui = await connect('/v1/subscribe', TOKENS.agent);
    await subscribe(ui, { callId: 'race' });
    const call = new CallScript(producer, 'race');
    await call.start();
    await call.customer('you are a useless idiot and i am talking slowly');
    expect(classifier.held).toBe(1);
    expect(await call.end()).toMatchObject({ type: 'ack' });
    expect(await call.start()).toMatchObject({ type: 'ack' });
    classifier.release();
    await classifier.drained;
    await churn(producer);
    await expectNewCallServes(producer, ui, 'race');
  });

  it('over Twilio webhooks: one arriving after transcription-stopped starts the call afresh, untouched by the old one', async () => {
    const producer = await connect('/v1/ingest', TOKENS.ingest);
    const ui = await connect('/v1/subscribe', TOKENS.agent);
    await subscribe(ui, { callId: 'tw-race' });
    let sequence = 0;
    const ids = { callSid: 'CA9', transcriptionSid: 'GT9' };
    const post = (form: Record<string, string>) =>
      postTwilioWebhook(server.http, 'callId=tw-race&agentId=agent-7', {
        CallSid: ids.callSid,
        TranscriptionSid: ids.transcriptionSid,
        Timestamp: twilioTime(sequence * 1000),
        ...form,
      });
    const say = (transcript: string) => post(twilioLine(transcript, ++sequence, ids));
    expect((await say('you are a useless idiot and i am talking slowly')).status).toBe(200);
    expect(classifier.held).toBe(1);
    expect((await post({ TranscriptionEvent: 'transcription-stopped' })).status).toBe(200);
    expect((await post({ TranscriptionEvent: 'transcription-started' })).status).toBe(200);
    classifier.release();
    await classifier.drained;
    await churn(producer);
    await expectNewCallServes(producer, ui, 'tw-race');
  });
});
