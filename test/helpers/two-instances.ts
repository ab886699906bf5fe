import { afterEach } from 'vitest';
import type { TestRedis } from './redis.js';
import { startServer, type TestServer } from './server.js';
import { TestClient } from './ws-client.js';

/**
 * Two service instances on one Redis for each test that asks (a lease of one second, the record off,
 * plus `env`), and the WebSocket clients the test opens on them; everything is closed after each test.
 */
export function twoInstancesOn(redis: () => TestRedis, env: Record<string, string> = {}) {
  const cleanup: (() => unknown)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });
  return {
    async instances(): Promise<[TestServer, TestServer]> {
      const settings = { REDIS_URL: redis().url, CALL_LEASE_TTL_MS: '1000', RECORD: 'off', ...env };
      const [a, b] = await Promise.all([startServer(settings), startServer(settings)]);
      cleanup.push(
        () => a.close(),
        () => b.close(),
      );
      return [a, b];
    },
    async connect(server: TestServer, path: string, token?: string): Promise<TestClient> {
      const client = await TestClient.connect(`${server.ws}${path}`, token);
      cleanup.push(() => client.close());
      return client;
    },
  };
}
