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
  maxCallsPerTenant: number;
  orphanCallTimeoutMs: number;
  callIdleTimeoutMs: number;
  partialDebounceMs: number;
  partialMinGrowth: number;
  contextTurns: number;
  subscriberMaxBufferedBytes: number;
  producerMaxBufferedBytes: number;
  wsHeartbeatMs: number;
  shutdownGraceMs: number;
  /** The incident record (src/record/): off, or on with SQLite under dataDir unless databaseUrl names PostgreSQL. */
  record: 'on' | 'off';
  dataDir: string;
  databaseUrl: string | undefined;
  recordContextLines: number;
  recordRetentionDays: number;
  recordQueueMax: number;
  /** Unset: calls live in this process only. Set: every instance shares calls through this Redis (src/state/). */
  redisUrl: string | undefined;
  /** How long a call's owner lease lasts unless renewed: the longest a dead instance's call waits to be taken over. */
  callLeaseTtlMs: number;
  httpRatePerSec: number;
  /** Unset: /metrics is open to anyone who can reach the port. */
  metricsToken: string | undefined;
  /**
   * Twilio auth token per tenant (TWILIO_AUTH_TOKENS, a JSON object tenant → token): a listed
   * tenant has every Twilio webhook's X-Twilio-Signature checked; others rely on the ingest token.
   */
  twilioAuthTokens: Readonly<Record<string, string>>;
}

type Env = Record<string, string | undefined>;

class ConfigError extends Error {
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
  if (!(choices as readonly string[]).includes(value))
    throw new ConfigError(`${name}=${JSON.stringify(value)}: expected one of ${choices.join(', ')}`);
  return value as T;
}

function stringMap(env: Env, name: string): Record<string, string> {
  const raw = optional(env, name);
  if (raw === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  const valid =
    typeof parsed === 'object' &&
    parsed !== null &&
    !Array.isArray(parsed) &&
    Object.values(parsed).every((v) => typeof v === 'string' && v !== '');
  if (!valid)
    throw new ConfigError(`${name}: expected a JSON object of non-empty strings, e.g. {"acme":"<twilio auth token>"}`);
  return parsed as Record<string, string>;
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
    maxCallsPerTenant: integer(env, 'MAX_CALLS_PER_TENANT', 2000, 1),
    orphanCallTimeoutMs: integer(env, 'ORPHAN_CALL_TIMEOUT_MS', 30_000, 0),
    callIdleTimeoutMs: integer(env, 'CALL_IDLE_TIMEOUT_MS', 600_000, 100, 2 ** 31 - 1),
    partialDebounceMs: integer(env, 'PARTIAL_DEBOUNCE_MS', 120, 0, 10_000),
    partialMinGrowth: integer(env, 'PARTIAL_MIN_GROWTH', 8, 1, 4000),
    contextTurns: integer(env, 'CONTEXT_TURNS', 6, 0, 100),
    subscriberMaxBufferedBytes: integer(env, 'SUBSCRIBER_MAX_BUFFERED_BYTES', 1024 * 1024, 1024),
    producerMaxBufferedBytes: integer(env, 'PRODUCER_MAX_BUFFERED_BYTES', 1024 * 1024, 1024),
    wsHeartbeatMs: integer(env, 'WS_HEARTBEAT_MS', 30_000, 10, 2 ** 31 - 1),
    shutdownGraceMs: integer(env, 'SHUTDOWN_GRACE_MS', 5000, 0, 600_000),
    record: oneOf(env, 'RECORD', ['on', 'off'] as const, 'on'),
    dataDir: text(env, 'DATA_DIR', 'data'),
    databaseUrl: optional(env, 'DATABASE_URL'),
    recordContextLines: integer(env, 'RECORD_CONTEXT_LINES', 5, 0, 100),
    recordRetentionDays: integer(env, 'RECORD_RETENTION_DAYS', 90, 1, 36_500),
    recordQueueMax: integer(env, 'RECORD_QUEUE_MAX', 10_000, 1),
    redisUrl: optional(env, 'REDIS_URL'),
    callLeaseTtlMs: integer(env, 'CALL_LEASE_TTL_MS', 10_000, 300, 600_000),
    httpRatePerSec: integer(env, 'HTTP_RATE_PER_SEC', 500, 1),
    metricsToken: optional(env, 'METRICS_TOKEN'),
    twilioAuthTokens: stringMap(env, 'TWILIO_AUTH_TOKENS'),
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
