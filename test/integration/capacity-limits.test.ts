import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { CallScript, subscribe } from '../helpers/calls.js';
import { startServer, TOKENS, type TestServer } from '../helpers/server.js';
import { openSocket, TestClient } from '../helpers/ws-client.js';

let server: TestServer | undefined;
const clients: TestClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await server?.close();
  server = undefined;
});

async function connect(path: string, token: string): Promise<TestClient> {
  const client = await TestClient.connect(`${server!.ws}${path}`, token);
  clients.push(client);
  return client;
}

const metric = async (line: string): Promise<boolean> =>
  (await (await fetch(`${server!.http}/metrics`)).text()).includes(line);

describe('per-tenant capacity', () => {
  it('caps live calls per tenant, so one tenant holding calls does not lock out another', async () => {
    server = await startServer({ MAX_CALLS: '100', MAX_CALLS_PER_TENANT: '2' });
    const acme = await connect('/v1/ingest', TOKENS.ingest);
    const globex = await connect('/v1/ingest', TOKENS.otherIngest);
    for (const callId of ['a1', 'a2'])
      expect(await new CallScript(acme, callId).start()).toMatchObject({ type: 'ack' });
    expect(await new CallScript(acme, 'a3').start()).toMatchObject({
      type: 'error',
      code: 'too_many_calls',
      message: expect.stringContaining('tenant'),
    });
    expect(await new CallScript(globex, 'g1').start()).toMatchObject({ type: 'ack' });
    // An ended call frees its place.
    await new CallScript(acme, 'a1').end();
    expect(await new CallScript(acme, 'a3').start()).toMatchObject({ type: 'ack' });
  });

  it('ends a call that hears nothing for CALL_IDLE_TIMEOUT_MS although its producer stays connected', async () => {
    server = await startServer({ CALL_IDLE_TIMEOUT_MS: '300' });
    const producer = await connect('/v1/ingest', TOKENS.ingest);
    const ui = await connect('/v1/subscribe', TOKENS.agent);
    await subscribe(ui, { agentId: 'agent-7' });
    const idle = new CallScript(producer, 'idle');
    await idle.start();
    const ended = await ui.next((m) => m.type === 'call' && m.event === 'ended', 5000);
    expect(ended.call).toMatchObject({ callId: 'idle', ended: true });
    expect(producer.socket.readyState).toBe(WebSocket.OPEN);
    expect(await idle.customer('hello again')).toMatchObject({ type: 'error', code: 'unknown_call' });
    expect(await metric('callguard_calls_expired_total{reason="idle"} 1')).toBe(true);
  });
});

/** The HTTP answer to an upgrade the service refuses (status and JSON body); fails if it opens. */
function refusedUpgrade(path: string, token: string): Promise<{ status: number; body: unknown }> {
  const socket = new WebSocket(`${server!.ws}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return new Promise((resolve, reject) => {
    socket.once('open', () => (socket.close(), reject(new Error('the upgrade was accepted'))));
    socket.once('unexpected-response', (_request, response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode!, body: JSON.parse(text) }));
    });
  });
}

describe('WebSocket connections per tenant', () => {
  it('refuses a tenant its ingest connection over MAX_INGEST_CONNECTIONS_PER_TENANT while another tenant still connects', async () => {
    server = await startServer({ MAX_INGEST_CONNECTIONS_PER_TENANT: '2' });
    const [first] = await Promise.all([connect('/v1/ingest', TOKENS.ingest), connect('/v1/ingest', TOKENS.ingest)]);
    expect(await refusedUpgrade('/v1/ingest', TOKENS.ingest)).toEqual({
      status: 429,
      body: { error: 'too_many_connections', message: expect.stringContaining('MAX_INGEST_CONNECTIONS_PER_TENANT') },
    });
    await connect('/v1/ingest', TOKENS.otherIngest);
    // Subscriber connections are counted apart.
    await connect('/v1/subscribe', TOKENS.agent);

    // A closed connection frees its place.
    first!.close();
    await first!.closed;
    await expect(connect('/v1/ingest', TOKENS.ingest)).resolves.toBeInstanceOf(TestClient);
  });

  it('counts connections opened at once, not only those already open', async () => {
    server = await startServer({ MAX_SUBSCRIBE_CONNECTIONS_PER_TENANT: '3' });
    const opened = await Promise.allSettled(Array.from({ length: 8 }, () => connect('/v1/subscribe', TOKENS.agent)));
    expect(opened.filter((result) => result.status === 'fulfilled')).toHaveLength(3);
    expect(await refusedUpgrade('/v1/subscribe', TOKENS.supervisor)).toMatchObject({
      status: 429,
      body: { error: 'too_many_connections', message: expect.stringContaining('MAX_SUBSCRIBE_CONNECTIONS_PER_TENANT') },
    });
    await connect('/v1/subscribe', TOKENS.otherTenant);
  });
});

describe('connections that stop reading or answering', () => {
  it('closes a producer that does not read its replies (1013) instead of buffering them without bound', async () => {
    server = await startServer({
      PRODUCER_MAX_BUFFERED_BYTES: '1024',
      INGEST_RATE_PER_SEC: '1000000',
      INGEST_BURST: '1000000',
    });
    const producer = await connect('/v1/ingest', TOKENS.ingest);
    producer.socket.pause();
    const frame = JSON.stringify({ type: 'call.end', id: 'x'.repeat(120), callId: 'y'.repeat(120) });
    let sent = 0;
    while (!(await metric('callguard_ws_closed_total{route="ingest",reason="slow-reader"} 1')) && sent < 400_000) {
      for (let i = 0; i < 5000; i++) producer.socket.send(frame);
      sent += 5000;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(sent).toBeLessThan(400_000);
    producer.socket.resume();
    expect((await producer.closed).code).toBe(1013);
  });

  it('drops a connection that stops answering pings, and keeps one that answers', async () => {
    server = await startServer({ WS_HEARTBEAT_MS: '50' });
    const silent = await openSocket(`${server.ws}/v1/ingest`, TOKENS.ingest, (socket) => socket);
    const closed = new Promise<number>((resolve) => silent.once('close', (code) => resolve(code)));
    // A half-open peer: the service's pings go unanswered.
    silent.pong = () => undefined;
    const live = await connect('/v1/ingest', TOKENS.ingest);
    expect(await closed).toBe(1006);
    expect(await new CallScript(live, 'still-here').start()).toMatchObject({ type: 'ack' });
    expect(await metric('callguard_ws_closed_total{route="ingest",reason="no-pong"} 1')).toBe(true);
  });
});
