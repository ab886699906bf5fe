import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallScript, customerFinal, subscribe } from '../helpers/calls.js';
import { startServer, TOKENS, type TestServer } from '../helpers/server.js';
import { TestClient, type Message } from '../helpers/ws-client.js';

let server: TestServer;
const clients: TestClient[] = [];

beforeAll(async () => {
  // acme has a Twilio auth token (its calls may be fed by signed webhooks only); globex has none.
  server = await startServer({ RECORD: 'off', TWILIO_AUTH_TOKENS: JSON.stringify({ acme: 'acme-twilio-auth-token' }) });
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
    // The start is answered once the call is this instance's; what came meanwhile, at once.
    expect(await replies(producer, ['start', 'line-0', 'end'])).toEqual([
      'line-0:accepted',
      'end:accepted',
      'start:accepted',
    ]);
  });

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
});
