import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { buildServer } from '../../src/server.js';
import { KeywordClassifier } from '../helpers/keyword-classifier.js';
import { TOKEN_CONFIG } from '../helpers/server.js';

let consoleDir: string;
let app: FastifyInstance | undefined;

beforeAll(() => {
  consoleDir = mkdtempSync(join(tmpdir(), 'call-guard-console-'));
  for (const file of ['index.html', 'console.js', 'console.css']) writeFileSync(join(consoleDir, file), '/* page */');
});
afterAll(() => rmSync(consoleDir, { recursive: true, force: true }));
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function serve(env: Record<string, string>): Promise<FastifyInstance> {
  const config = loadConfig({ LOG_LEVEL: 'silent', AUTH_TOKENS: TOKEN_CONFIG, RECORD: 'off', ...env });
  app = await buildServer({ config, classifier: new KeywordClassifier(), consoleDir });
  return app;
}

const PROXY = '10.0.0.5';

/** An API request with a made-up token, as from `client` through the proxy (or straight from the proxy). */
const withBadToken = (server: FastifyInstance, client?: string) =>
  server.inject({
    url: '/v1/incidents',
    remoteAddress: PROXY,
    headers: { authorization: 'Bearer made-up-token-0001', ...(client ? { 'x-forwarded-for': client } : {}) },
  });

async function emptyTheBucket(server: FastifyInstance, client?: string): Promise<void> {
  const statuses = [];
  for (let i = 0; i < 3; i++) statuses.push((await withBadToken(server, client)).statusCode);
  expect(statuses).toEqual([401, 401, 429]);
}

describe('the HTTP allowance of a client address', () => {
  it('still serves the console page and its files once the address has spent its API allowance', async () => {
    const server = await serve({ HTTP_RATE_PER_SEC: '2' });
    await emptyTheBucket(server);
    for (const url of ['/console', '/console/console.js', '/console/console.css'])
      expect((await server.inject({ url, remoteAddress: PROXY })).statusCode, url).toBe(200);
    expect((await withBadToken(server)).statusCode).toBe(429);
  });

  it('with TRUST_PROXY, gives two clients behind one proxy an allowance each', async () => {
    const server = await serve({ HTTP_RATE_PER_SEC: '2', TRUST_PROXY: PROXY });
    await emptyTheBucket(server, '203.0.113.1');
    expect((await withBadToken(server, '203.0.113.2')).statusCode).toBe(401);
  });

  it('with TRUST_PROXY=true, takes the address the proxy appended, not one the client wrote before it', async () => {
    const server = await serve({ HTTP_RATE_PER_SEC: '2', TRUST_PROXY: 'true' });
    await emptyTheBucket(server, '198.51.100.1, 203.0.113.1');
    // A new made-up address on the left buys nothing: the proxy's entry is the same client's.
    expect((await withBadToken(server, '198.51.100.2, 203.0.113.1')).statusCode).toBe(429);
    expect((await withBadToken(server, '198.51.100.3, 203.0.113.2')).statusCode).toBe(401);
  });

  it('without TRUST_PROXY, believes no X-Forwarded-For: a client cannot buy fresh allowances with it', async () => {
    const server = await serve({ HTTP_RATE_PER_SEC: '2' });
    await emptyTheBucket(server, '203.0.113.1');
    expect((await withBadToken(server, '203.0.113.2')).statusCode).toBe(429);
  });
});
