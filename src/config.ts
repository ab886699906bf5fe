import { classifierDefaults } from './classifier/index.js';
import { sessionDefaults } from './calls/call-session.js';
import { registryDefaults } from './calls/call-registry.js';
import { recordDefaults } from './record/incident-record.js';
import { httpRateLimitDefaults } from './routes/http-rate-limit.js';
import { channelDefaults } from './routes/ws-channel.js';
import type { Config } from './config-type.js';
import { serverDefaults } from './server.js';
import { sharedStateDefaults } from './state/open-state.js';
import { transcriptDefaults } from './transcript/call-transcript.js';

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

/**
 * Reads the service's settings from environment variables (README, "Configuration"): each variable
 * sets the component option of the same name, whose default is declared beside the component.
 */
export function loadConfig(env: Env = process.env): Config {
  return {
    port: integer(env, 'PORT', serverDefaults.port, 0, 65535),
    host: text(env, 'HOST', serverDefaults.host),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, serverDefaults.logLevel),
    modelDir: text(env, 'MODEL_DIR', classifierDefaults.modelDir),
    batchMaxSize: integer(env, 'BATCH_MAX_SIZE', classifierDefaults.batchMaxSize, 1, 1024),
    batchMaxWaitMs: integer(env, 'BATCH_MAX_WAIT_MS', classifierDefaults.batchMaxWaitMs, 0, 1000),
    queueMax: integer(env, 'QUEUE_MAX', classifierDefaults.queueMax, 1),
    inferenceThread: oneOf(env, 'INFERENCE_THREAD', INFERENCE_THREADS, classifierDefaults.inferenceThread),
    policyFile: optional(env, 'POLICY_FILE'),
    authTokens: optional(env, 'AUTH_TOKENS'),
    maxPayloadBytes: integer(env, 'MAX_PAYLOAD_BYTES', serverDefaults.maxPayloadBytes, 1024, 16 * 1024 * 1024),
    ingestRatePerSec: integer(env, 'INGEST_RATE_PER_SEC', channelDefaults.ingestRatePerSec, 1),
    ingestBurst: integer(env, 'INGEST_BURST', channelDefaults.ingestBurst, 1),
    subscribeRatePerSec: integer(env, 'SUBSCRIBE_RATE_PER_SEC', channelDefaults.subscribeRatePerSec, 1),
    subscribeBurst: integer(env, 'SUBSCRIBE_BURST', channelDefaults.subscribeBurst, 1),
    cueReplayBuffer: integer(env, 'CUE_REPLAY_BUFFER', sharedStateDefaults.cueReplayBuffer, 1, 100_000),
    transcriptReplayLines: integer(
      env,
      'TRANSCRIPT_REPLAY_LINES',
      sharedStateDefaults.transcriptReplayLines,
      0,
      10_000,
    ),
    endedCallRetention: integer(env, 'ENDED_CALL_RETENTION', sharedStateDefaults.endedCallRetention, 0),
    maxCalls: integer(env, 'MAX_CALLS', registryDefaults.maxCalls, 1),
    maxCallsPerTenant: integer(env, 'MAX_CALLS_PER_TENANT', registryDefaults.maxCallsPerTenant, 1),
    orphanCallTimeoutMs: integer(env, 'ORPHAN_CALL_TIMEOUT_MS', registryDefaults.orphanCallTimeoutMs, 0),
    callIdleTimeoutMs: integer(env, 'CALL_IDLE_TIMEOUT_MS', registryDefaults.callIdleTimeoutMs, 100, 2 ** 31 - 1),
    partialDebounceMs: integer(env, 'PARTIAL_DEBOUNCE_MS', sessionDefaults.partialDebounceMs, 0, 10_000),
    partialMinGrowth: integer(env, 'PARTIAL_MIN_GROWTH', transcriptDefaults.partialMinGrowth, 1, 4000),
    contextTurns: integer(env, 'CONTEXT_TURNS', transcriptDefaults.contextTurns, 0, 100),
    subscriberMaxBufferedBytes: integer(
      env,
      'SUBSCRIBER_MAX_BUFFERED_BYTES',
      channelDefaults.subscriberMaxBufferedBytes,
      1024,
    ),
    producerMaxBufferedBytes: integer(
      env,
      'PRODUCER_MAX_BUFFERED_BYTES',
      channelDefaults.producerMaxBufferedBytes,
      1024,
    ),
    wsHeartbeatMs: integer(env, 'WS_HEARTBEAT_MS', channelDefaults.wsHeartbeatMs, 10, 2 ** 31 - 1),
    shutdownGraceMs: integer(env, 'SHUTDOWN_GRACE_MS', serverDefaults.shutdownGraceMs, 0, 600_000),
    record: oneOf(env, 'RECORD', ['on', 'off'] as const, serverDefaults.record),
    dataDir: text(env, 'DATA_DIR', recordDefaults.dataDir),
    databaseUrl: optional(env, 'DATABASE_URL'),
    recordContextLines: integer(env, 'RECORD_CONTEXT_LINES', recordDefaults.recordContextLines, 0, 100),
    recordRetentionDays: integer(env, 'RECORD_RETENTION_DAYS', recordDefaults.recordRetentionDays, 1, 36_500),
    recordQueueMax: integer(env, 'RECORD_QUEUE_MAX', recordDefaults.recordQueueMax, 1),
    redisUrl: optional(env, 'REDIS_URL'),
    callLeaseTtlMs: integer(env, 'CALL_LEASE_TTL_MS', sharedStateDefaults.callLeaseTtlMs, 300, 600_000),
    httpRatePerSec: integer(env, 'HTTP_RATE_PER_SEC', httpRateLimitDefaults.httpRatePerSec, 1),
    metricsToken: optional(env, 'METRICS_TOKEN'),
    twilioAuthTokens: stringMap(env, 'TWILIO_AUTH_TOKENS'),
  };
}
