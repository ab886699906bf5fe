import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BatchingKeywords } from '../helpers/batching-keywords.js';
import { CallScript, callEnded, subscribe } from '../helpers/calls.js';
import { startServer, TOKENS, type TestServer } from '../helpers/server.js';
import { TestClient, type Message } from '../helpers/ws-client.js';

/**
 * A bounded load test (a few seconds, not a benchmark): fuzzed frames, a tenant flooding the
 * classifier and the end-then-start race all at once, while a control call of another tenant
 * runs its script. The process must stay up, and the control call's cues must all arrive, in order,
 * the same as when it runs alone.
 */
const LOAD_MS = 3000;
const ENV = {
  INGEST_RATE_PER_SEC: '50000',
  INGEST_BURST: '50000',
  ENDED_CALL_RETENTION: '3',
  MAX_PAYLOAD_BYTES: '16384',
};

const CONTROL_SCRIPT: ['customer' | 'agent', string][] = [
  ['customer', 'this stupid router has been dead all week'],
  ['agent', 'i am sorry to hear that let me check the line'],
  ['customer', 'you are a useless idiot'],
  ['agent', 'i can only help if we keep this respectful'],
  ['customer', 'are you a moron or just pretending'],
  ['customer', 'fine my account number is 4471'],
  ['customer', 'you useless idiot'],
  ['customer', 'i know where you live and i am coming for you'],
];

let server: TestServer;
const clients: TestClient[] = [];
const rejections: unknown[] = [];
const onRejection = (reason: unknown): void => void rejections.push(reason);

beforeEach(() => {
  rejections.length = 0;
  process.on('unhandledRejection', onRejection);
});

afterEach(async () => {
  process.off('unhandledRejection', onRejection);
  for (const client of clients.splice(0)) client.close();
  await server.close();
});

async function connect(path: string, token: string): Promise<TestClient> {
  const client = await TestClient.connect(`${server.ws}${path}`, token);
  clients.push(client);
  return client;
}

/** Runs the control call's script, one line at a time, and returns the cues its agent saw. */
async function runControl(callId: string, pauseMs: number): Promise<Message[]> {
  const producer = await connect('/v1/ingest', TOKENS.otherIngest);
  const ui = await connect('/v1/subscribe', TOKENS.otherTenant);
  await subscribe(ui, { callId });
  const call = new CallScript(producer, callId);
  expect(await call.start('agent-control')).toMatchObject({ type: 'ack' });
  for (const [speaker, text] of CONTROL_SCRIPT) {
    expect(await call.say(speaker, text)).toMatchObject({ type: 'ack', status: 'accepted' });
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
  await call.end();
  await callEnded(ui, callId);
  return ui.cues(callId);
}

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const ODD_VALUES: unknown[] = [
  null,
  -1,
  1e308,
  2 ** 53,
  '',
  'x'.repeat(300),
  'nul\u0000',
  'rtl\u202E',
  {},
  [],
  true,
  'call.start',
  '\uFDFA'.repeat(500),
];

function fuzzFrame(next: () => number, n: number): string | Buffer {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const valid: Record<string, unknown>[] = [
    { type: 'call.start', callId: `fz-${n % 7}`, agentId: 'fz' },
    {
      type: 'transcript',
      chunk: {
        callId: `fz-${n % 7}`,
        segmentId: `s${n}`,
        seq: n,
        speaker: 'customer',
        isFinal: next() < 0.5,
        text: 'you idiot',
        startMs: 0,
        endMs: 1,
      },
    },
    { type: 'call.end', callId: `fz-${n % 7}` },
    { type: 'agent.ack', callId: `fz-${n % 7}`, step: 'limit-set' },
  ];
  const kind = next();
  if (kind < 0.1)
    return pick(['{', '[]', 'null', '"text"', '{"type":', '\u0000', '{"type":"transcript","chunk":null}']);
  if (kind < 0.15) return Buffer.from([0xff, 0xfe, 0x00, 0x01]);
  const message = structuredClone(pick(valid));
  const target = 'chunk' in message && next() < 0.7 ? (message.chunk as Record<string, unknown>) : message;
  const keys = Object.keys(target);
  const key = next() < 0.2 ? 'extra' : pick(keys);
  if (next() < 0.2) delete target[key];
  else target[key] = pick(ODD_VALUES);
  return JSON.stringify(message);
}

describe('under load', () => {
  it(
    'stays up, and a control call’s cues all arrive in order, while fuzz, a flood and the end/start race run',
    { timeout: 60_000 },
    async () => {
      server = await startServer(ENV, new BatchingKeywords({ batchMaxSize: 16, queueMax: 64, gated: false }));
      const alone = await runControl('control-alone', 0);
      expect(alone.length).toBeGreaterThan(3);

      const fuzzer = await connect('/v1/ingest', TOKENS.ingest);
      const flooder = await connect('/v1/ingest', TOKENS.ingest);
      const racer = await connect('/v1/ingest', TOKENS.ingest);
      const floodCalls = ['flood-0', 'flood-1', 'flood-2'].map((callId) => new CallScript(flooder, callId));
      for (const call of floodCalls) await call.start();

      const until = Date.now() + LOAD_MS;
      const running = () => Date.now() < until;
      const fuzz = (async () => {
        const next = random(42);
        for (let n = 0; running(); n++) {
          fuzzer.send(fuzzFrame(next, n));
          if (n % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
        }
      })();
      const flood = (async () => {
        const long = `you are ridiculous ${'and this goes on '.repeat(200)}`.slice(0, 4000);
        for (let n = 0; running(); n++) {
          for (const call of floodCalls)
            flooder.send({
              type: 'transcript',
              chunk: {
                callId: call.callId,
                segmentId: `f${n}`,
                seq: n,
                speaker: 'customer',
                isFinal: true,
                text: long,
                startMs: n,
                endMs: n + 1,
              },
            });
          if (n % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
        }
      })();
      const race = (async () => {
        const calls = ['race-0', 'race-1'].map((callId) => new CallScript(racer, callId));
        for (const call of calls) await call.start();
        for (let n = 0; running(); n++) {
          const call = calls[n % 2]!;
          // Sent back to back, so the final is still being classified when the call ends and starts again.
          racer.send({
            type: 'transcript',
            chunk: {
              callId: call.callId,
              segmentId: `r${n}`,
              seq: n,
              speaker: 'customer',
              isFinal: true,
              text: 'you useless idiot',
              startMs: n,
              endMs: n + 1,
            },
          });
          racer.send({ type: 'call.end', callId: call.callId });
          await call.start();
          await new CallScript(racer, `churn-${n}`).start();
          await new CallScript(racer, `churn-${n}`).end();
        }
      })();
      const control = await runControl('control', LOAD_MS / CONTROL_SCRIPT.length / 2);
      await Promise.all([fuzz, flood, race]);

      expect(control.map((cue) => cue.seq)).toEqual(control.map((_, i) => i + 1));
      expect(control.map((cue) => cue.type)).toEqual(alone.map((cue) => cue.type));
      expect((await fetch(`${server.http}/healthz`)).status).toBe(200);
      expect(await new CallScript(racer, 'after-load').start()).toMatchObject({ type: 'ack' });
      expect(rejections).toEqual([]);
    },
  );
});
