import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_TOKENS } from '../../src/auth/tokens.js';
import { loadConfig } from '../../src/config.js';
import { buildServer } from '../../src/server.js';
import { KeywordClassifier } from '../helpers/keyword-classifier.js';

const tokenWith = (scope: string) => DEV_TOKENS.find((t) => t.scopes.join() === scope)!.token;

const build = (consoleDir: string) =>
  buildServer({
    config: loadConfig({ LOG_LEVEL: 'silent', RECORD: 'off' }),
    classifier: new KeywordClassifier(),
    consoleDir,
  });

let built: string;
let app: FastifyInstance;

beforeAll(async () => {
  built = mkdtempSync(join(tmpdir(), 'call-guard-console-'));
  for (const file of ['index.html', 'console.js', 'console.css']) writeFileSync(join(built, file), `built ${file}`);
  app = await build(built);
});

afterAll(async () => {
  await app.close();
  rmSync(built, { recursive: true, force: true });
});

describe('the console route', () => {
  it('serves the built page and its assets, keeping the token in the address out of any Referer', async () => {
    const page = await app.inject('/console');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toBe('built index.html');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['content-security-policy']).toBe(
      "default-src 'self';base-uri 'none';frame-ancestors 'none';form-action 'none'",
    );
    expect(page.headers['cache-control']).toBe('no-cache');
    const script = await app.inject('/console/console.js');
    expect([script.statusCode, script.headers['content-type'], script.body]).toEqual([
      200,
      'text/javascript; charset=utf-8',
      'built console.js',
    ]);
    const style = await app.inject('/console/console.css');
    expect([style.statusCode, style.headers['content-type']]).toEqual([200, 'text/css; charset=utf-8']);
    expect((await app.inject('/console/other.js')).statusCode).toBe(404);
  });

  it('sends the security headers on the API too', async () => {
    const health = await app.inject('/healthz');
    expect(health.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'SAMEORIGIN',
    });
    expect(health.headers['strict-transport-security']).toBeUndefined();
  });

  it('answers the browser’s favicon request without a 404', async () => {
    expect((await app.inject('/favicon.ico')).statusCode).toBe(204);
  });

  it('answers 503 with what to run when the page has not been built', async () => {
    const unbuilt = await build(join(built, 'missing'));
    try {
      const page = await unbuilt.inject('/console');
      expect(page.statusCode).toBe(503);
      expect(page.body).toContain('npm run build');
    } finally {
      await unbuilt.close();
    }
  });

  it('tells the page whose token it holds, or refuses it', async () => {
    const ask = (token?: string) =>
      app.inject({ url: '/console/session', headers: token ? { authorization: `Bearer ${token}` } : {} });
    expect((await ask()).statusCode).toBe(401);
    expect((await ask('not-a-token-of-this-service')).statusCode).toBe(401);
    expect((await ask(tokenWith('ingest'))).statusCode).toBe(403);
    const supervisor = await ask(tokenWith('subscribe,supervise,review'));
    expect(supervisor.statusCode).toBe(200);
    expect(supervisor.json()).toEqual({ name: 'dev-supervisor', scopes: ['subscribe', 'supervise', 'review'] });
  });
});
