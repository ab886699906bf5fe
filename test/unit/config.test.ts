import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseTokens, TokenStore, tokenOf, withoutToken } from '../../src/auth/tokens.js';
import { loadConfig } from '../../src/config.js';
import { RateLimiter } from '../../src/routes/rate-limit.js';

describe('config', () => {
  it('has defaults for everything', () => {
    expect(loadConfig({})).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      modelDir: 'models/use-lite-abuse',
      inferenceThread: 'main',
    });
    expect([loadConfig({}).policyFile, loadConfig({}).authTokens, loadConfig({}).redisUrl]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(loadConfig({})).toMatchObject({
      maxCallsPerTenant: 2000,
      callIdleTimeoutMs: 600_000,
      producerMaxBufferedBytes: 1024 * 1024,
      wsHeartbeatMs: 30_000,
    });
  });

  it('reads each variable into the setting of the same name, a blank one as unset', () => {
    expect(
      loadConfig({ PORT: ' 9000 ', MAX_CALLS_PER_TENANT: '5', REDIS_URL: 'redis://r:6379', HOST: '  ' }),
    ).toMatchObject({ port: 9000, maxCallsPerTenant: 5, redisUrl: 'redis://r:6379', host: '0.0.0.0' });
    expect(loadConfig({ TWILIO_AUTH_TOKENS: '{"acme":"secret"}' }).twilioAuthTokens).toEqual(
      new Map([['acme', 'secret']]),
    );
  });

  it('names the bad variable, its value and what it must be', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow('PORT="eighty": must be integer');
    expect(() => loadConfig({ PORT: '1.5' })).toThrow('PORT="1.5": must be integer');
    // Numbers JSON would read past every maximum (env-schema coerces them to Infinity).
    expect(() => loadConfig({ CALL_IDLE_TIMEOUT_MS: '1e400' })).toThrow(
      'CALL_IDLE_TIMEOUT_MS="1e400": must be integer',
    );
    expect(() => loadConfig({ SHUTDOWN_GRACE_MS: '-Infinity' })).toThrow('must be integer');
    expect(() => loadConfig({ ORPHAN_CALL_TIMEOUT_MS: '3000000000' })).toThrow('must be <= 2147483647');
    expect(() => loadConfig({ BATCH_MAX_SIZE: '0' })).toThrow('BATCH_MAX_SIZE="0": must be >= 1');
    expect(() => loadConfig({ MAX_PAYLOAD_BYTES: '99999999999' })).toThrow('must be <= 16777216');
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/^LOG_LEVEL="loud": must be one of fatal, error/);
    expect(() => loadConfig({ INFERENCE_THREAD: 'gpu' })).toThrow(
      'INFERENCE_THREAD="gpu": must be one of main, worker',
    );
    expect(() => loadConfig({ TWILIO_AUTH_TOKENS: '["x"]' })).toThrow(/TWILIO_AUTH_TOKENS: expected a JSON object/);
  });

  it("prints the README's example of a bad value as the README shows it", () => {
    const example = /`call-guard could not start: (PORT="eighty": [^`]+)`/.exec(readFileSync('README.md', 'utf8'));
    expect(example, 'the example is missing from README.md').not.toBeNull();
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(expect.objectContaining({ message: example![1] }));
  });

  it('takes a DATABASE_URL or REDIS_URL only if it reads as a URL', () => {
    for (const bad of ['redis://cache:99999', 'redis://ca che:6379', 'redis://[::1:6379'])
      expect(() => loadConfig({ REDIS_URL: bad })).toThrow(`REDIS_URL=${JSON.stringify(bad)}: must be a URL`);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://db host/x' })).toThrow(
      'DATABASE_URL="postgres://db host/x": must be a URL',
    );
  });

  it('takes only the URL schemes the record and the shared state speak, never printing a password', () => {
    expect(loadConfig({ DATABASE_URL: 'postgresql://db/x', REDIS_URL: 'rediss://r:6380' })).toMatchObject({
      databaseUrl: 'postgresql://db/x',
      redisUrl: 'rediss://r:6380',
    });
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(
      'DATABASE_URL="mysql://x": must be a postgres:// or postgresql:// URL',
    );
    expect(() => loadConfig({ DATABASE_URL: 'mysql://me:hunter2@x/db' })).toThrow(
      'DATABASE_URL="mysql://me:***@x/db": must be',
    );
    // ioredis would read http://x as a Unix socket path and retry it for ever.
    expect(() => loadConfig({ REDIS_URL: 'http://x' })).toThrow(
      'REDIS_URL="http://x": must be a redis:// or rediss:// URL',
    );
  });

  it('reads TRUST_PROXY as Fastify takes it: off unless set, every peer, or the proxies named', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 2001:db8::1,loopback' }).trustProxy).toEqual([
      '10.0.0.0/8',
      '2001:db8::1',
      'loopback',
    ]);
    for (const bad of ['yes', '10.0.0.0/33', 'proxy.internal', '1'])
      expect(() => loadConfig({ TRUST_PROXY: bad })).toThrow(
        `TRUST_PROXY="${bad}": expected true, false, or addresses`,
      );
  });
});

describe('tokens', () => {
  it('keeps query-string tokens out of logged URLs', () => {
    expect(withoutToken('/console?token=secret-123&agentId=a7')).toBe('/console?token=[redacted]&agentId=a7');
    expect(withoutToken('/v1/ingest/twilio?callId=c&token=s3cret')).toBe('/v1/ingest/twilio?callId=c&token=[redacted]');
    expect(withoutToken('/v1/classify')).toBe('/v1/classify');
    expect(withoutToken('/console/session?%74oken=secret-123&t%6Fken=s2')).toBe(
      '/console/session?%74oken=[redacted]&t%6Fken=[redacted]',
    );
  });

  it('parses AUTH_TOKENS and looks tokens up', () => {
    const store = new TokenStore(parseTokens('[{"token":"abcdefghijklmnop","tenant":"t","scopes":["ingest"]}]'));
    expect(store.lookup('abcdefghijklmnop')).toMatchObject({ tenant: 't' });
    expect(store.lookup('abcdefghijklmnoq')).toBeUndefined();
    expect(store.lookup(undefined)).toBeUndefined();
  });

  it('explains a bad setting', () => {
    expect(() => parseTokens('[{"token":"short","tenant":"t","scopes":["ingest"]}]')).toThrow(
      /AUTH_TOKENS: \[0\]\.token/,
    );
    expect(() => parseTokens('[{"token":"abcdefghijklmnop","tenant":"t","scopes":["admin"]}]')).toThrow(/scopes/);
    expect(() => parseTokens('[oops')).toThrow(/not valid JSON/);
    const twice = (tenant: string) => `{"token":"abcdefghijklmnop","tenant":"${tenant}","scopes":["ingest"]}`;
    expect(() => parseTokens(`[${twice('a')},${twice('b')}]`)).toThrow('AUTH_TOKENS: [1].token: the same token as [0]');
  });

  it('says a value read as a path names no file, rather than that it is not JSON', () => {
    expect(() => parseTokens('/nonexistent/tokens.json')).toThrow(
      'AUTH_TOKENS="/nonexistent/tokens.json": names no file; must be a JSON array of {token, tenant, scopes} or a path to such a file',
    );
    expect(() => parseTokens('{"token":"abcdefghijklmnop"}')).toThrow(/^AUTH_TOKENS: .*expected array/);
  });

  it('binds a subscribe-only token to an agent; an unbound one keeps no agent', () => {
    const entries = parseTokens(
      JSON.stringify([
        { token: 'agent-7-token-abcdef', tenant: 't', scopes: ['subscribe'], agentId: 'agent-7' },
        { token: 'any-agent-token-abcd', tenant: 't', scopes: ['subscribe'] },
      ]),
    );
    const store = new TokenStore(entries);
    expect(store.lookup('agent-7-token-abcdef')).toMatchObject({ tenant: 't', agentId: 'agent-7' });
    expect(store.lookup('any-agent-token-abcd')).not.toHaveProperty('agentId');
  });

  it('refuses an agent binding on a token with another scope, or an agent id no call could have', () => {
    const bound = (scopes: string[], agentId: string) =>
      JSON.stringify([{ token: 'abcdefghijklmnop', tenant: 't', scopes, agentId }]);
    expect(() => parseTokens(bound(['subscribe', 'supervise'], 'agent-7'))).toThrow(
      'AUTH_TOKENS: [0].agentId: only a token whose one scope is subscribe can be bound to an agent',
    );
    expect(() => parseTokens(bound(['ingest'], 'agent-7'))).toThrow(/\[0\]\.agentId/);
    expect(() => parseTokens(bound(['subscribe'], ''))).toThrow(/AUTH_TOKENS: \[0\]\.agentId/);
    expect(() => parseTokens(bound(['subscribe'], 'agent\u0000-7'))).toThrow(/AUTH_TOKENS: \[0\]\.agentId/);
  });

  it('reads the bearer header first, then ?token=', () => {
    expect(tokenOf({ authorization: 'Bearer abc' }, { token: 'q' })).toBe('abc');
    expect(tokenOf({}, { token: 'q' })).toBe('q');
    expect(tokenOf({ authorization: 'Basic xyz' }, {})).toBeUndefined();
  });
});

describe('RateLimiter', () => {
  it('allows a burst, then refills at the rate', () => {
    let now = 0;
    const limiter = new RateLimiter(10, 2, () => now);
    expect([limiter.take(), limiter.take(), limiter.take()]).toEqual([true, true, false]);
    now += 100;
    expect([limiter.take(), limiter.take()]).toEqual([true, false]);
  });

  it('lets charged work put it into debt, refusing messages until the debt is repaid', () => {
    let now = 0;
    const limiter = new RateLimiter(10, 4, () => now);
    expect(limiter.take()).toBe(true);
    limiter.charge(7);
    expect(limiter.take()).toBe(false);
    now += 400;
    expect(limiter.take()).toBe(false);
    now += 100;
    expect([limiter.take(), limiter.take()]).toEqual([true, false]);
  });
});
