import type { InferenceThread } from './classifier/batch-runner.js';

/**
 * The service's settings, one per environment variable and named after it (config.ts reads them);
 * each is the option of the same name of the component it configures.
 */
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
  policyFile?: string;
  /** JSON, or a path to a JSON file; unset: the development tokens (logged as a warning). */
  authTokens?: string;
  maxPayloadBytes: number;
  ingestRatePerSec: number;
  ingestBurst: number;
  tenantIngestRatePerSec: number;
  tenantIngestBurst: number;
  subscribeRatePerSec: number;
  subscribeBurst: number;
  maxIngestConnectionsPerTenant: number;
  maxSubscribeConnectionsPerTenant: number;
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
  databaseUrl?: string;
  recordContextLines: number;
  recordRetentionDays: number;
  recordQueueMax: number;
  /** Unset: calls live in this process only. Set: every instance shares calls through this Redis (src/state/). */
  redisUrl?: string;
  /** How long a call's owner lease lasts unless renewed: the longest a dead instance's call waits to be taken over. */
  callLeaseTtlMs: number;
  httpRatePerSec: number;
  /**
   * Fastify's trustProxy (TRUST_PROXY): the proxies whose X-Forwarded-For, -Proto and -Host are
   * believed, so `request.ip` (the HTTP rate limit's key) is the client's; false: the peer's own.
   */
  trustProxy: boolean | string[];
  /** Unset: /metrics is open to anyone who can reach the port. */
  metricsToken?: string;
  /**
   * Twilio auth token per tenant (TWILIO_AUTH_TOKENS, a JSON object tenant → token): a listed
   * tenant has every Twilio webhook's X-Twilio-Signature checked; others rely on the ingest token.
   * A Map, so that a tenant named `constructor` or `toString` finds no token it was not given.
   */
  twilioAuthTokens: ReadonlyMap<string, string>;
}
