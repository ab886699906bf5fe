import type { ClassifierOptions, InferenceThread } from './classifier/index.js';

export interface Config {
  port: number;
  host: string;
  logLevel: string;
  modelDir: string;
  batchMaxSize: number;
  batchMaxWaitMs: number;
  queueMax: number;
  inferenceThread: InferenceThread;
  /** Unset: the built-in src/ladder/default-policy.json. */
  policyFile: string | undefined;
  /** JSON, or a path to a JSON file; unset: the development tokens (logged as a warning). */
  authTokens: string | undefined;
  maxPayloadBytes: number;
  ingestRatePerSec: number;
  ingestBurst: number;
  subscribeRatePerSec: number;
  subscribeBurst: number;
  cueReplayBuffer: number;
  transcriptReplayLines: number;
  endedCallRetention: number;
  maxCalls: number;
  orphanCallTimeoutMs: number;
  partialDebounceMs: number;
  partialMinGrowth: number;
  contextTurns: number;
  subscriberMaxBufferedBytes: number;
  shutdownGraceMs: number;
}

type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function integer(env: Env, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name}=${JSON.stringify(raw)}: expected an integer from ${min} to ${max}`);
  }
  return value;
}

function text(env: Env, name: string, fallback: string): string {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? fallback : raw.trim();
}

function optional(env: Env, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
}

function oneOf<T extends string>(env: Env, name: string, choices: readonly T[], fallback: T): T {
  const value = text(env, name, fallback);
  if (!(choices as readonly string[]).includes(value)) throw new ConfigError(`${name}=${JSON.stringify(value)}: expected one of ${choices.join(', ')}`);
  return value as T;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const INFERENCE_THREADS = ['main', 'worker'] as const;

/** Reads the service's settings from environment variables; every one has a default (README, "Configuration"). */
export function loadConfig(env: Env = process.env): Config {
  return {
    port: integer(env, 'PORT', 8080, 0, 65535),
    host: text(env, 'HOST', '0.0.0.0'),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    modelDir: text(env, 'MODEL_DIR', 'models/use-lite-abuse'),
    batchMaxSize: integer(env, 'BATCH_MAX_SIZE', 32, 1, 1024),
    batchMaxWaitMs: integer(env, 'BATCH_MAX_WAIT_MS', 2, 0, 1000),
    queueMax: integer(env, 'QUEUE_MAX', 2048, 1),
    inferenceThread: oneOf(env, 'INFERENCE_THREAD', INFERENCE_THREADS, 'main'),
    policyFile: optional(env, 'POLICY_FILE'),
    authTokens: optional(env, 'AUTH_TOKENS'),
    maxPayloadBytes: integer(env, 'MAX_PAYLOAD_BYTES', 64 * 1024, 1024, 16 * 1024 * 1024),
    ingestRatePerSec: integer(env, 'INGEST_RATE_PER_SEC', 500, 1),
    ingestBurst: integer(env, 'INGEST_BURST', 1000, 1),
    subscribeRatePerSec: integer(env, 'SUBSCRIBE_RATE_PER_SEC', 20, 1),
    subscribeBurst: integer(env, 'SUBSCRIBE_BURST', 50, 1),
    cueReplayBuffer: integer(env, 'CUE_REPLAY_BUFFER', 256, 1, 100_000),
    transcriptReplayLines: integer(env, 'TRANSCRIPT_REPLAY_LINES', 50, 0, 10_000),
    endedCallRetention: integer(env, 'ENDED_CALL_RETENTION', 1000, 0),
    maxCalls: integer(env, 'MAX_CALLS', 10_000, 1),
    orphanCallTimeoutMs: integer(env, 'ORPHAN_CALL_TIMEOUT_MS', 30_000, 0),
    partialDebounceMs: integer(env, 'PARTIAL_DEBOUNCE_MS', 120, 0, 10_000),
    partialMinGrowth: integer(env, 'PARTIAL_MIN_GROWTH', 8, 1, 4000),
    contextTurns: integer(env, 'CONTEXT_TURNS', 6, 0, 100),
    subscriberMaxBufferedBytes: integer(env, 'SUBSCRIBER_MAX_BUFFERED_BYTES', 1024 * 1024, 1024),
    shutdownGraceMs: integer(env, 'SHUTDOWN_GRACE_MS', 5000, 0, 600_000),
  };
}

/** The classifier settings of a service configuration, for every program that serves one. */
export function classifierOptions(config: Config): ClassifierOptions {
  return {
    modelDir: config.modelDir,
    maxBatch: config.batchMaxSize,
    maxWaitMs: config.batchMaxWaitMs,
    maxQueue: config.queueMax,
    inferenceThread: config.inferenceThread,
  };
}
