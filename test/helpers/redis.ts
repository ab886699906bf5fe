import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './ports.js';

const REDIS_SERVER = '/usr/bin/redis-server';

export const REDIS_MISSING = existsSync(REDIS_SERVER)
  ? undefined
  : `no ${REDIS_SERVER} (apt-get install redis-server; CI installs it)`;

export interface TestRedis {
  url: string;
  port: number;
  /** A new client connection (closed by stop()). */
  client(): Redis;
  /** kill -9, leaving the append-only file as the crash left it. */
  kill(): Promise<void>;
  /** Starts the server again on the same port and folder: it reloads the append-only file. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A throwaway redis-server on a free loopback port, its data in a temporary folder (removed by
 * stop()), with the persistence docs/deployment.md asks for: appendonly yes, appendfsync everysec.
 */
export async function startRedis(): Promise<TestRedis> {
  if (REDIS_MISSING) throw new Error(REDIS_MISSING);
  const dir = mkdtempSync(join(tmpdir(), 'call-guard-redis-'));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const clients: Redis[] = [];
  let server: ChildProcess;
  const launch = async (): Promise<void> => {
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--save',
      '',
      '--protected-mode',
      'no',
    ];
    server = spawn(REDIS_SERVER, args, { stdio: 'ignore' });
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      for (let attempt = 0; ; attempt++) {
        if (server.exitCode !== null) throw new Error(`redis-server exited with ${server.exitCode}`);
        if (
          await probe.connect().then(
            () => probe.ping(),
            () => undefined,
          )
        )
          return;
        if (attempt > 200) throw new Error('redis-server did not answer within 20 s');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      probe.disconnect();
    }
  };
  const kill = async (): Promise<void> => {
    if (server.exitCode !== null) return;
    const exited = once(server, 'exit');
    server.kill('SIGKILL');
    await exited;
  };
  await launch();
  return {
    url,
    port,
    client() {
      const client = new Redis(url);
      client.on('error', () => undefined); // reconnects by itself; the tests watch what matters
      clients.push(client);
      return client;
    },
    kill,
    restart: launch,
    async stop() {
      for (const client of clients) client.disconnect();
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
