import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';
import { freePort } from './ports.js';

const REDIS_SERVER = '/usr/bin/redis-server';

export const REDIS_MISSING = existsSync(REDIS_SERVER)
  ? undefined
  : `no ${REDIS_SERVER} (apt-get install redis-server; CI installs it)`;

export interface TestRedis {
  url: string;
  port: number;
  /** The running server's process id (a restart changes it). */
  readonly pid: number;
  /** A new client connection (closed by stop()). */
  client(options?: RedisOptions): Redis;
  /** kill -9, leaving the append-only file as the crash left it. */
  kill(): Promise<void>;
  /** Starts the server again on the same port and folder: it reloads the append-only file. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** How often Redis fsyncs its append-only file: every second (the default) or on every write. */
export type AppendFsync = 'everysec' | 'always';

/**
 * A throwaway redis-server on a free loopback port, its data in a temporary folder (removed by
 * stop()), with the persistence docs/deployment.md asks for: appendonly yes, appendfsync everysec
 * unless told otherwise.
 */
export async function startRedis({ appendfsync = 'everysec' }: { appendfsync?: AppendFsync } = {}): Promise<TestRedis> {
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
      appendfsync,
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
    get pid() {
      return server.pid!;
    },
    client(options = {}) {
      const client = new Redis(url, options);
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

export interface RedisLink {
  url: string;
  /** Drops every connection through the link and refuses new ones, as a network partition does. */
  cut(): void;
  /** Lets connections through again (clients reconnect by themselves). */
  restore(): void;
  close(): Promise<void>;
}

/** A TCP relay to a Redis on this machine, for a client whose network to Redis a test cuts. */
export async function redisLink(redisPort: number): Promise<RedisLink> {
  const sockets = new Set<Socket>();
  let open = true;
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  const server = createServer((client) => {
    if (!open) return void client.destroy();
    const upstream = connect(redisPort, '127.0.0.1');
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      track(from);
      from.pipe(to);
      from.on('error', () => to.destroy());
      from.on('close', () => to.destroy());
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const cut = (): void => {
    open = false;
    for (const socket of sockets) socket.destroy();
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    cut,
    restore: () => void (open = true),
    async close() {
      cut();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
