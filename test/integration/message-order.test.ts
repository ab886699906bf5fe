import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SharedHub } from '../../src/state/shared-hub.js';
import { CallScript, customerFinal, endOfCall, subscribe } from '../helpers/calls.js';
import { startServer, TOKENS, type TestServer } from '../helpers/server.js';
import { TestClient, type Message } from '../helpers/ws-client.js';

let server: TestServer;
const clients: TestClient[] = [];

beforeAll(async () => {
  // acme has a Twilio auth token (its calls may be fed by signed webhooks only); globex has none.
  server = await startServer({ RECORD: 'off', TWILIO_AUTH_TOKENS: JSON.stringify({ acme: 'acme-twilio-auth-token' }) });
});

afterEach(() => {
  vi.restoreAllMocks();
});

afterAll(async () => {
  for (const client of clients) client.close();
  await server.close();
});

const connect = async (path: string, token: string): Promise<TestClient> => {
  const client = await TestClient.connect(`${server.ws}${path}`, token);
  clients.push(client);
  return client;
};

const line = (callId: string, seq: number, text: string) => customerFinal(callId, seq, text, `line-${seq}`, `s${seq}`);

const started = (m: Message): boolean => m.type === 'call' && m.event === 'started';

/** The replies to the messages whose ids are given, once each has one, as `id:code-or-status`. */
async function replies(client: TestClient, ids: string[]): Promise<string[]> {
  const answered = (m: Message) => ids.includes(m.id as string) && (m.type === 'ack' || m.type === 'error');
  for (const id of ids) await client.seen((m) => answered(m) && m.id === id);
  return client.received.filter(answered).map((m) => `${m.id}:${m.code ?? m.status}`);
}

describe('messages sent back to back on one ingest connection', () => {
  it.each([
    ['with a Twilio auth token', TOKENS.ingest, 'order-acme'],
    ['without one', TOKENS.otherIngest, 'order-globex'],
  ])('a chunk and a call.end sent right after call.start wait for the call (a tenant %s)', async (_, token, callId) => {
    const producer = await connect('/v1/ingest', token);
    producer.sendTogether(
      { type: 'call.start', id: 'start', callId, agentId: 'agent-7' },
      line(callId, 0, 'hello there'),
      { type: 'call.end', id: 'end', callId },
    );
    // The start is answered once the call is this instance's; what came meanwhile just before it, in order.
    expect(await replies(producer, ['start', 'line-0', 'end'])).toEqual([
      'line-0:accepted',
      'end:accepted',
      'start:accepted',
    ]);
  });

  it.each([
    ['with a Twilio auth token', TOKENS.ingest, TOKENS.supervisor, 'again-acme'],
    ['without one', TOKENS.otherIngest, TOKENS.otherTenant, 'again-globex'],
  ])(
    'call.start, call.end and call.start again while the first opens make two calls, one after the other (a tenant %s)',
    async (_, token, supervisorToken, callId) => {
      const supervisor = await connect('/v1/subscribe', supervisorToken);
      await subscribe(supervisor, { tenant: true });
      const producer = await connect('/v1/ingest', token);
      producer.sendTogether(
        { type: 'call.start', id: 'start', callId, agentId: 'agent-7' },
        line(callId, 0, 'you are a useless idiot'),
        { type: 'call.end', id: 'end', callId },
        { type: 'call.start', id: 'again', callId, agentId: 'agent-7' },
        line(callId, 1, 'you are a useless idiot'),
      );
      expect((await replies(producer, ['start', 'line-0', 'end', 'again', 'line-1'])).sort()).toEqual([
        'again:accepted',
        'end:accepted',
        'line-0:accepted',
        'line-1:accepted',
        'start:accepted',
      ]);
      const first = await supervisor.next(started);
      const ended = await supervisor.next(endOfCall(callId));
      const second = await supervisor.next(started);
      await supervisor.next((m) => m.type === 'cue' && m.cue.epoch === second.call.epoch);
      expect(ended.call.epoch).toBe(first.call.epoch);
      expect(second.call.epoch).not.toBe(first.call.epoch);
      // Each call's line went to its own ladder: the first call's before it ended.
      const call = (epoch: string) => (epoch === first.call.epoch ? 'first' : 'second');
      expect(supervisor.cues(callId).map((cue) => `${call(cue.epoch)} ${cue.type} #${cue.seq}`)).toEqual([
        'first set-limit #1',
        'first break-debrief #2',
        'second set-limit #1',
      ]);
    },
  );

  it.each([
    ['forbidden', () => vi.spyOn(SharedHub.prototype, 'signedWebhooksOnly').mockResolvedValue(true)],
    ['call_exists', () => vi.spyOn(SharedHub.prototype, 'openCall').mockResolvedValue(undefined)],
    ['unavailable', () => vi.spyOn(SharedHub.prototype, 'openCall').mockRejectedValue(new Error('Redis down'))],
  ])(
    'a chunk and a call.end sent while a call.start opens are refused, their final unread, when the start is refused %s',
    async (code, refuseStart) => {
      refuseStart();
      const classify = vi.spyOn(server.classifier, 'classify');
      const callId = `refused-${code}`;
      const producer = await connect('/v1/ingest', TOKENS.ingest);
      producer.sendTogether(
        { type: 'call.start', id: 'start', callId, agentId: 'agent-7' },
        line(callId, 0, 'you are a useless idiot'),
        { type: 'call.end', id: 'end', callId },
      );
      expect((await replies(producer, ['start', 'line-0', 'end'])).sort()).toEqual([
        'end:unknown_call',
        'line-0:unknown_call',
        `start:${code}`,
      ]);
      expect(classify).not.toHaveBeenCalled();
    },
  );

  it('an agent.ack is applied before the lines sent after it, and answered before them', async () => {
    const producer = await connect('/v1/ingest', TOKENS.ingest);
    const agent = await connect('/v1/subscribe', TOKENS.agent);
    await subscribe(agent, { callId: 'ack-order' });
    await new CallScript(producer, 'ack-order').start();
    producer.sendTogether(
      { type: 'agent.ack', id: 'ack', callId: 'ack-order', step: 'limit-set' },
      line('ack-order', 0, 'you are a useless idiot'),
    );
    expect(await replies(producer, ['ack', 'line-0'])).toEqual(['ack:accepted', 'line-0:accepted']);
    // The limit was already set when the abuse came: the next step is a warning, not a first limit.
    expect((await agent.next((m) => m.type === 'cue')).cue).toMatchObject({ seq: 1, type: 'warn' });
  });

  it('while the call opens, an agent.ack and the line after it are answered in the order they came', async () => {
    const producer = await connect('/v1/ingest', TOKENS.ingest);
    producer.sendTogether(
      { type: 'call.start', id: 'start', callId: 'ack-opening', agentId: 'agent-7' },
      { type: 'agent.ack', id: 'ack', callId: 'ack-opening', step: 'limit-set' },
      line('ack-opening', 0, 'hello there'),
    );
    const answered = await replies(producer, ['start', 'ack', 'line-0']);
    expect(answered.filter((reply) => !reply.startsWith('start'))).toEqual(['ack:accepted', 'line-0:accepted']);
  });
});
