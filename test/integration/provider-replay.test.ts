import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { ENCODERS } from '../../fixtures/encoders.js';
import { loadFixtureCalls, readProviderRecords, type FixtureCall } from '../../fixtures/fixture-call.js';
import { loadClassifier, type BatchingClassifier } from '../../src/classifier/index.js';
import { callEnded, subscribe } from '../helpers/calls.js';
import { fixtureLabeller } from '../helpers/fixture-labels.js';
import { KeywordClassifier } from '../helpers/keyword-classifier.js';
import { startServer, TOKENS, type TestServer } from '../helpers/server.js';
import { postTwilioWebhook } from '../helpers/twilio.js';
import { openSocket, TestClient } from '../helpers/ws-client.js';

const calls = loadFixtureCalls();
const NATIVE = 'native';

/** Resolves once the server has handled everything sent before it: ws answers a ping after the frames ahead of it. */
const drained = (socket: WebSocket): Promise<void> =>
  new Promise((resolve) => {
    socket.once('pong', () => resolve());
    socket.ping();
  });

async function sendAll(socket: WebSocket, messages: unknown[]): Promise<void> {
  for (const message of messages) socket.send(JSON.stringify(message));
  await drained(socket);
}

/** The call in the service's own format, on one connection. */
async function replayNative(server: TestServer, call: FixtureCall): Promise<void> {
  const socket = await openSocket(`${server.ws}/v1/ingest`, TOKENS.ingest);
  await sendAll(socket, [
    { type: 'call.start', callId: call.callId, agentId: call.agentId, teamId: call.teamId },
    ...call.chunks.map((chunk) => ({ type: 'transcript', chunk })),
    { type: 'call.end', callId: call.callId },
  ]);
  socket.close();
}

/** A provider file over /v1/ingest?format=…, one connection per audio stream the records name. */
async function replayProviderStream(
  server: TestServer,
  provider: string,
  name: string,
  call: FixtureCall,
): Promise<void> {
  const sockets = new Map<string, WebSocket>();
  const query = `format=${provider}&callId=${call.callId}&agentId=${call.agentId}&teamId=${call.teamId}`;
  for (const record of readProviderRecords(provider, name)) {
    const stream = record.stream ?? '';
    let socket = sockets.get(stream);
    if (!socket) {
      socket = await openSocket(`${server.ws}/v1/ingest?${query}${stream ? `&stream=${stream}` : ''}`, TOKENS.ingest);
      sockets.set(stream, socket);
    }
    // Streams travel on separate connections: keep the server's view of them in file order.
    await sendAll(socket, [record.message]);
  }
  const control = sockets.values().next().value!;
  await sendAll(control, [{ type: 'call.end', callId: call.callId }]);
  for (const socket of sockets.values()) socket.close();
}

/** A Twilio file's webhooks, one form post per record, in order; transcription-stopped ends the call. */
async function replayTwilioWebhooks(server: TestServer, name: string, call: FixtureCall): Promise<void> {
  const query = `callId=${call.callId}&agentId=${call.agentId}&teamId=${call.teamId}`;
  for (const { message } of readProviderRecords('twilio', name)) {
    const response = await postTwilioWebhook(server.http, query, message as Record<string, string>);
    expect(response.status, await response.clone().text()).toBe(200);
  }
}

function replay(server: TestServer, format: string, name: string, call: FixtureCall): Promise<void> {
  if (format === NATIVE) return replayNative(server, call);
  if (format === 'twilio') return replayTwilioWebhooks(server, name, call);
  return replayProviderStream(server, format, name, call);
}

/** The cue types a call raised, as its expectedCues list them (fixtures/README.md: let-vent is the service's choice). */
async function cuesOf(server: TestServer, format: string, name: string, call: FixtureCall): Promise<string[]> {
  const ui = await TestClient.connect(`${server.ws}/v1/subscribe`, TOKENS.agent);
  await subscribe(ui, { callId: call.callId });
  await replay(server, format, name, call);
  await callEnded(ui, call.callId);
  ui.close();
  return ui
    .cues(call.callId)
    .map((cue) => cue.type)
    .filter((type) => type !== 'let-vent');
}

describe('every fixture call in every format, through the real server, with the fixtures’ own labels', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer({}, new KeywordClassifier(fixtureLabeller(calls.map(({ call }) => call))));
  });

  afterAll(async () => {
    await server.close();
  });

  describe.each([NATIVE, ...Object.keys(ENCODERS)])('%s', (format) => {
    it.each(calls.map(({ name, call }) => [name, call] as const))(
      '%s raises the expected cues in order',
      async (name, call) => {
        expect(await cuesOf(server, format, name, call)).toEqual(call.expectedCues);
      },
    );
  });
});

/**
 * The committed model on the same calls. Where the model misreads an utterance the cues differ:
 * those calls are listed here, with the misreading, and checked to still differ, so that a better
 * model shows up as a failing test to update (models/use-lite-abuse/MODEL_CARD.md, "Known failure modes").
 */
const KNOWN_MODEL_MISSES: Record<string, string> = {
  'legitimate-recourse':
    '"fine show me what you can do" (after three lines of recourse) reads abusive 0.67 in context, under the 0.75 first-abuse point, so it counts as a fourth venting line in a row: acknowledge',
};

describe('the committed model on every fixture call (service format)', () => {
  let server: TestServer;
  let classifier: BatchingClassifier;

  beforeAll(async () => {
    classifier = await loadClassifier();
    server = await startServer({}, classifier);
  });

  afterAll(async () => {
    await server.close();
    await classifier.close();
  });

  it.each(calls.map(({ name, call }) => [name, call] as const))('%s', async (name, call) => {
    const cues = await cuesOf(server, NATIVE, name, call);
    if (name in KNOWN_MODEL_MISSES) expect(cues).not.toEqual(call.expectedCues);
    else expect(cues).toEqual(call.expectedCues);
  });
});
