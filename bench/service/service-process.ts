import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../test/helpers/ports.js';
import { TOKEN_CONFIG } from '../../test/helpers/server.js';
import type { InferenceThread } from '../../src/classifier/index.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

export interface ServiceSettings {
  modelDir: string;
  batchMaxSize: number;
  batchMaxWaitMs: number;
  inferenceThread: InferenceThread;
  /** The incident record on (SQLite in a temporary DATA_DIR, removed when the service stops) or off. */
  record: boolean;
  /** Write a V8 CPU profile of the service into this folder when it stops. */
  cpuProfileDir?: string;
  /** Share calls with other instances through this Redis (REDIS_URL); unset: in memory. */
  redisUrl?: string;
}

export interface RunningService {
  pid: number;
  http: string;
  ws: string;
  stop(): Promise<void>;
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', resolve)));
}

/**
 * Starts the service the way operators do (src/main.ts in a process of its own, settings from
 * environment variables, the test tokens), so the load generator never shares its event loop.
 */
export async function startService(settings: ServiceSettings): Promise<RunningService> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'call-guard-bench-data-'));
  const profiling = settings.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${settings.cpuProfileDir}`] : [];
  const child = spawn(process.execPath, [...profiling, '--import', 'tsx', 'src/main.ts'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      MODEL_DIR: settings.modelDir,
      BATCH_MAX_SIZE: String(settings.batchMaxSize),
      BATCH_MAX_WAIT_MS: String(settings.batchMaxWaitMs),
      INFERENCE_THREAD: settings.inferenceThread,
      AUTH_TOKENS: TOKEN_CONFIG,
      RECORD: settings.record ? 'on' : 'off',
      // Every simulated call is the one test tenant's: the per-tenant cap must not be what a step measures.
      MAX_CALLS_PER_TENANT: String(1_000_000),
      DATA_DIR: dataDir,
      // The load generator is one client with one token, pushing far past any per-token allowance on purpose.
      HTTP_RATE_PER_SEC: String(1_000_000),
      ...(settings.redisUrl ? { REDIS_URL: settings.redisUrl } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (data: Buffer) => (output = (output + data.toString()).slice(-4000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exit = exited(child);
  const http = `http://127.0.0.1:${port}`;

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`the service exited with code ${child.exitCode} before it was ready:\n${output.trim()}`);
    if (await isReady(http)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the service was not ready within ${READY_TIMEOUT_MS / 1000} s:\n${output.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  return {
    pid: child.pid!,
    http,
    ws: `ws://127.0.0.1:${port}`,
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      const code = await exit;
      clearTimeout(timer);
      rmSync(dataDir, { recursive: true, force: true });
      if (code !== 0) throw new Error(`the service stopped with code ${code}:\n${output.trim()}`);
    },
  };
}

async function isReady(http: string): Promise<boolean> {
  try {
    return (await fetch(`${http}/readyz`)).ok;
  } catch {
    return false;
  }
}
