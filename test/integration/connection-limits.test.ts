import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, TOKENS, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';

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
