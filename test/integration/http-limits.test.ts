import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { buildServer } from '../../src/server.js';
import { startServer, TOKEN_CONFIG, TOKENS } from '../helpers/server.js';
import { openSocket, TestClient } from '../helpers/ws-client.js';
import { KeywordClassifier } from '../helpers/keyword-classifier.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function serve(env: Record<string, string>, logLines?: string[]): Promise<FastifyInstance> {
  const config = loadConfig({ LOG_LEVEL: 'silent', AUTH_TOKENS: TOKEN_CONFIG, RECORD: 'off', ...env });
  const stream = new Writable({
    write: (chunk: Buffer, _encoding, done) => (logLines?.push(chunk.toString()), done()),
  });
  app = await buildServer({
    config,
    classifier: new KeywordClassifier(),
    ...(logLines ? { logger: { level: config.logLevel, stream } } : {}),
  });
  return app;
}

async function listen(server: FastifyInstance): Promise<AddressInfo> {
  await server.listen({ port: 0, host: '127.0.0.1' });
  return server.server.address() as AddressInfo;
}

const classify = (server: FastifyInstance, token: string) =>
  server.inject({
    method: 'POST',
    url: '/v1/classify',
    headers: { authorization: `Bearer ${token}` },
    payload: { texts: ['hello there'] },
  });

describe('HTTP rate limit', () => {
  it('allows HTTP_RATE_PER_SEC requests a second per token, then answers 429 in the service error shape', async () => {
    const server = await serve({ HTTP_RATE_PER_SEC: '3' });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await classify(server, TOKENS.ingest)).statusCode);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const refused = await classify(server, TOKENS.ingest);
    expect(refused.json()).toMatchObject({ error: 'rate_limited' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);

    // Another token (here another tenant's) keeps its own allowance; probes are never limited.
    expect((await classify(server, TOKENS.otherIngest)).statusCode).toBe(200);
    for (let i = 0; i < 5; i++) expect((await server.inject('/readyz')).statusCode).toBe(200);
  });

  it('limits the Twilio webhook too, keyed by the token in its address', async () => {
    const server = await serve({ HTTP_RATE_PER_SEC: '2' });
    const webhook = () =>
      server.inject({
        method: 'POST',
        url: `/v1/ingest/twilio?token=${TOKENS.ingest}&callId=rl-1&agentId=agent-1`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'TranscriptionEvent=transcription-started',
      });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await webhook()).statusCode);
    expect(statuses[2]).toBe(429);
    expect(statuses.slice(0, 2)).not.toContain(429);
  });

  it('counts a plain request that only claims to be a WebSocket upgrade', async () => {
    const server = await serve({ HTTP_RATE_PER_SEC: '2' });
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push(
        (
          await server.inject({
            method: 'POST',
            url: '/v1/classify',
            headers: { authorization: `Bearer ${TOKENS.ingest}`, upgrade: 'websocket' },
            payload: { texts: ['hello there'] },
          })
        ).statusCode,
      );
    expect(statuses).toEqual([200, 200, 429]);
  });

  it('leaves WebSocket handshakes to their per-connection limits', async () => {
    const server = await startServer({ HTTP_RATE_PER_SEC: '1' });
    try {
      const sockets = await Promise.all(
        [1, 2, 3].map(() => TestClient.connect(`${server.ws}/v1/subscribe`, TOKENS.agent)),
      );
      for (const socket of sockets) socket.close();
    } finally {
      await server.close();
    }
  });

  it('counts requests with unknown tokens against the address, not against each made-up token', async () => {
    const server = await serve({ HTTP_RATE_PER_SEC: '2' });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await classify(server, `made-up-token-${i}`)).statusCode);
    expect(statuses).toEqual([401, 401, 429]);
  });
});

describe('METRICS_TOKEN', () => {
  it('leaves /metrics open when unset', async () => {
    expect((await (await serve({})).inject('/metrics')).statusCode).toBe(200);
  });

  it('requires it as a bearer token when set', async () => {
    const server = await serve({ METRICS_TOKEN: 'scrape-secret-0001' });
    const scrape = (authorization?: string) =>
      server.inject({ url: '/metrics', headers: authorization ? { authorization } : {} });
    expect((await scrape()).statusCode).toBe(401);
    expect((await scrape('Bearer wrong-secret')).statusCode).toBe(401);
    expect((await scrape(`Bearer ${TOKENS.supervisor}`)).statusCode).toBe(401);
    const allowed = await scrape('Bearer scrape-secret-0001');
    expect(allowed.statusCode).toBe(200);
    expect(allowed.body).toContain('# TYPE');
  });
});

describe('probe logging', () => {
  const requestLines = (lines: string[], url: string) =>
    lines
      .map((line) => JSON.parse(line) as { req?: { url: string }; reqId?: string; msg: string })
      .filter((entry) => entry.req?.url === url);

  it('logs /readyz and /healthz requests at debug, other requests at info', async () => {
    const atInfo: string[] = [];
    const infoServer = await serve({ LOG_LEVEL: 'info' }, atInfo);
    await infoServer.inject('/readyz');
    await infoServer.inject('/healthz');
    await infoServer.inject('/metrics');
    expect(requestLines(atInfo, '/readyz')).toEqual([]);
    expect(requestLines(atInfo, '/healthz')).toEqual([]);
    expect(requestLines(atInfo, '/metrics')).toHaveLength(1);
    await infoServer.close();

    const atDebug: string[] = [];
    const debugServer = await serve({ LOG_LEVEL: 'debug' }, atDebug);
    await debugServer.inject('/readyz');
    expect(requestLines(atDebug, '/readyz').map((entry) => entry.msg)).toEqual([
      'incoming request',
      'request completed',
    ]);
  });
});

describe('refusal logging', () => {
  const BAD_TOKEN = 'made-up-token-never-logged';
  const entries = (lines: string[]) =>
    lines.map((line) => JSON.parse(line) as { level: number; msg: string; refused?: Record<string, number> });

  it('logs requests and upgrades refused for their token or rate at debug, with one warning for their address', async () => {
    const lines: string[] = [];
    const server = await serve({ LOG_LEVEL: 'info', HTTP_RATE_PER_SEC: '10' }, lines);
    const { port } = await listen(server);
    for (let i = 0; i < 20; i++) await classify(server, BAD_TOKEN);
    await Promise.allSettled(
      Array.from({ length: 20 }, () => openSocket(`ws://127.0.0.1:${port}/v1/subscribe?token=${BAD_TOKEN}`)),
    );

    expect(lines.join('')).not.toContain(BAD_TOKEN);
    const logged = entries(lines).filter((entry) => !entry.msg.startsWith('Server listening'));
    expect(logged).toEqual([expect.objectContaining({ level: 40, refused: { 401: 1 } })]);
    // Every refusal is counted (read from another address: this one's allowance is spent).
    const metrics = (await server.inject({ url: '/metrics', remoteAddress: '127.0.0.2' })).body;
    const counted = [...metrics.matchAll(/^callguard_http_refused_total\{status="(?:401|429)"\} (\d+)$/gm)];
    expect(counted.reduce((sum, [, n]) => sum + Number(n), 0)).toBe(40);
  });

  it('counts an upgrade without a known token against its address, as any request', async () => {
    const { port } = await listen(await serve({ HTTP_RATE_PER_SEC: '2' }));
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push(
        await openSocket(`ws://127.0.0.1:${port}/v1/ingest?token=${BAD_TOKEN}`).catch((error: Error) => error.message),
      );
    expect(statuses).toEqual(['HTTP 401', 'HTTP 401', 'HTTP 429']);
  });
});
