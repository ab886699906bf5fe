import { Type, type Static } from '@sinclair/typebox';
import envSchema from 'env-schema';
import { isIP } from 'node:net';
import { classifierDefaults } from './classifier/index.js';
import { sessionDefaults } from './calls/call-session.js';
import { registryDefaults } from './calls/call-registry.js';
import { recordDefaults } from './record/incident-record.js';
import { httpRateLimitDefaults } from './routes/http-rate-limit.js';
import { channelDefaults } from './routes/ws-channel.js';
import { tenantConnectionDefaults } from './routes/tenant-connections.js';
import { tenantIngestDefaults } from './routes/tenant-ingest-budget.js';
import type { Config } from './config-type.js';
import { serverDefaults } from './server.js';
import { envName, SettingError, settingProblem } from './setting-problem.js';
import { sharedStateDefaults } from './state/open-state.js';
import { transcriptDefaults } from './transcript/call-transcript.js';

type Env = Record<string, string | undefined>;

const integer = (fallback: number, minimum: number, maximum = Number.MAX_SAFE_INTEGER) =>
  Type.Integer({ default: fallback, minimum, maximum });
const oneOf = <T extends string>(choices: readonly T[], fallback: T) =>
  Type.Unsafe<T>({ type: 'string', enum: [...choices], default: fallback });
const text = (fallback: string) => Type.String({ default: fallback });
const optional = Type.Optional(Type.String());
/** A URL of one of `schemes`; its description is what a bad value is told it must be. */
const urlOf = (schemes: readonly string[]) =>
  Type.Optional(
    Type.String({
      pattern: `^(${schemes.join('|')})://`,
      description: `a ${schemes.map((scheme) => `${scheme}://`).join(' or ')} URL`,
    }),
  );

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const INFERENCE_THREADS = ['main', 'worker'] as const;

/**
 * Every setting with its bounds and its component's default, named as in Config; each is read
 * from the environment variable of the same name in upper snake case (`maxCalls`: MAX_CALLS).
 */
const Settings = Type.Object(
  {
    port: integer(serverDefaults.port, 0, 65535),
    host: text(serverDefaults.host),
    logLevel: oneOf(LOG_LEVELS, serverDefaults.logLevel),
    modelDir: text(classifierDefaults.modelDir),
    batchMaxSize: integer(classifierDefaults.batchMaxSize, 1, 1024),
    batchMaxWaitMs: integer(classifierDefaults.batchMaxWaitMs, 0, 1000),
    queueMax: integer(classifierDefaults.queueMax, 1),
    inferenceThread: oneOf(INFERENCE_THREADS, classifierDefaults.inferenceThread),
    policyFile: optional,
    authTokens: optional,
    maxPayloadBytes: integer(serverDefaults.maxPayloadBytes, 1024, 16 * 1024 * 1024),
    ingestRatePerSec: integer(channelDefaults.ingestRatePerSec, 1),
    ingestBurst: integer(channelDefaults.ingestBurst, 1),
    tenantIngestRatePerSec: integer(tenantIngestDefaults.tenantIngestRatePerSec, 1),
    tenantIngestBurst: integer(tenantIngestDefaults.tenantIngestBurst, 1),
    subscribeRatePerSec: integer(channelDefaults.subscribeRatePerSec, 1),
    subscribeBurst: integer(channelDefaults.subscribeBurst, 1),
    maxIngestConnectionsPerTenant: integer(tenantConnectionDefaults.maxIngestConnectionsPerTenant, 1),
    maxSubscribeConnectionsPerTenant: integer(tenantConnectionDefaults.maxSubscribeConnectionsPerTenant, 1),
    cueReplayBuffer: integer(sharedStateDefaults.cueReplayBuffer, 1, 100_000),
    transcriptReplayLines: integer(sharedStateDefaults.transcriptReplayLines, 0, 10_000),
    endedCallRetention: integer(sharedStateDefaults.endedCallRetention, 0),
    maxCalls: integer(registryDefaults.maxCalls, 1),
    maxCallsPerTenant: integer(registryDefaults.maxCallsPerTenant, 1),
    orphanCallTimeoutMs: integer(registryDefaults.orphanCallTimeoutMs, 0, 2 ** 31 - 1),
    callIdleTimeoutMs: integer(registryDefaults.callIdleTimeoutMs, 100, 2 ** 31 - 1),
    partialDebounceMs: integer(sessionDefaults.partialDebounceMs, 0, 10_000),
    partialMinGrowth: integer(transcriptDefaults.partialMinGrowth, 1, 4000),
    contextTurns: integer(transcriptDefaults.contextTurns, 0, 100),
    subscriberMaxBufferedBytes: integer(channelDefaults.subscriberMaxBufferedBytes, 1024),
    producerMaxBufferedBytes: integer(channelDefaults.producerMaxBufferedBytes, 1024),
    wsHeartbeatMs: integer(channelDefaults.wsHeartbeatMs, 10, 2 ** 31 - 1),
    shutdownGraceMs: integer(serverDefaults.shutdownGraceMs, 0, 600_000),
    record: oneOf(['on', 'off'] as const, serverDefaults.record),
    dataDir: text(recordDefaults.dataDir),
    databaseUrl: urlOf(['postgres', 'postgresql']),
    recordContextLines: integer(recordDefaults.recordContextLines, 0, 100),
    recordRetentionDays: integer(recordDefaults.recordRetentionDays, 1, 36_500),
    recordQueueMax: integer(recordDefaults.recordQueueMax, 1),
    redisUrl: urlOf(['redis', 'rediss']),
    callLeaseTtlMs: integer(sharedStateDefaults.callLeaseTtlMs, 300, 600_000),
    httpRatePerSec: integer(httpRateLimitDefaults.httpRatePerSec, 1),
    /** Parsed by trustedProxies below. */
    trustProxy: optional,
    metricsToken: optional,
    /** JSON, parsed by twilioTokens below. */
    twilioAuthTokens: optional,
  },
  // env-schema sets this on the schema it is given; declared here, the module's schema stays as written.
  { additionalProperties: false },
);
type Settings = Static<typeof Settings>;

/** The variables that are set, trimmed, under their setting's name: a blank one counts as unset. */
function setVariables(env: Env): Record<string, string> {
  return Object.fromEntries(
    Object.keys(Settings.properties).flatMap((setting) => {
      const raw = env[envName(setting)]?.trim();
      return raw ? [[setting, raw]] : [];
    }),
  );
}

interface SchemaProblem {
  instancePath: string;
  keyword: string;
  message?: string;
  params: { allowedValues?: unknown[] };
}

/** The first problem env-schema found, as "NAME=\"value\": what it must be". */
function describe(error: unknown, given: Record<string, string>): string {
  const problem = (error as { errors?: SchemaProblem[] }).errors?.[0];
  if (!problem) return error instanceof Error ? error.message : String(error);
  const setting = problem.instancePath.slice(1) as keyof Settings;
  const wanted = problem.params.allowedValues
    ? `must be one of ${problem.params.allowedValues.join(', ')}`
    : problem.keyword === 'pattern'
      ? `must be ${Settings.properties[setting].description}`
      : problem.message;
  return settingProblem(setting, given[setting], wanted ?? 'is not valid');
}

function twilioTokens(raw: string | undefined): Map<string, string> {
  if (raw === undefined) return new Map();
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
    throw new SettingError(
      'TWILIO_AUTH_TOKENS: expected a JSON object of non-empty strings, e.g. {"acme":"<twilio auth token>"}',
    );
  return new Map(Object.entries(parsed as Record<string, string>));
}

/** proxy-addr's names for address ranges, as Fastify's trustProxy takes them. */
const PROXY_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

const isProxyAddress = (entry: string): boolean => {
  const [address = '', prefix, ...rest] = entry.split('/');
  if (rest.length > 0) return false;
  const family = isIP(address);
  if (prefix === undefined) return family !== 0 || PROXY_RANGES.has(address);
  return family !== 0 && /^\d+$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
};

/** TRUST_PROXY: unset or `false`, off; `true`, the peer that connects is the proxy; else the proxies' addresses. */
function trustedProxies(raw: string | undefined): boolean | string[] {
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  const entries = raw.split(',').map((entry) => entry.trim());
  if (!entries.every(isProxyAddress))
    throw new SettingError(
      settingProblem(
        'trustProxy',
        raw,
        'expected true, false, or addresses and CIDR ranges separated by commas (e.g. 10.0.0.0/8,loopback)',
      ),
    );
  return entries;
}

/**
 * Reads the service's settings from environment variables (README, "Configuration") with
 * env-schema: each variable sets the component option of the same name, whose default is declared
 * beside the component.
 */
export function loadConfig(env: Env = process.env): Config {
  const given = setVariables(env);
  // env-schema reads "1e400" or "Infinity" as a number past every maximum: a whole number is written in digits.
  for (const [setting, raw] of Object.entries(given)) {
    if (Settings.properties[setting as keyof Settings].type === 'integer' && !/^[+-]?\d+$/.test(raw))
      throw new SettingError(settingProblem(setting, raw, 'must be integer, written in digits'));
  }
  let settings: Settings;
  try {
    settings = envSchema<Settings>({ schema: Settings, data: given, env: false });
  } catch (error) {
    throw new SettingError(describe(error, given));
  }
  // The scheme pattern passes what the start-up line and ioredis would read differently ("redis://ca che").
  for (const setting of ['databaseUrl', 'redisUrl'] as const) {
    const url = settings[setting];
    if (url !== undefined && !URL.canParse(url))
      throw new SettingError(settingProblem(setting, url, 'must be a URL (host, optional :port within 1–65535)'));
  }
  return {
    ...settings,
    trustProxy: trustedProxies(settings.trustProxy),
    twilioAuthTokens: twilioTokens(settings.twilioAuthTokens),
  };
}
