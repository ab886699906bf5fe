import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { DEV_TOKENS, parseTokens, TokenStore, withoutToken } from './auth/tokens.js';
import type { Classifier } from './classifier/classifier.js';
import { CallIngest } from './calls/call-ingest.js';
import { CallRegistry } from './calls/call-registry.js';
import type { Config } from './config-type.js';
import { loadPolicy, type Policy } from './ladder/policy.js';
import { IncidentRecord } from './record/incident-record.js';
import { createMetrics, type Metrics } from './metrics.js';
import { settingError } from './setting-problem.js';
import { openSharedState } from './state/open-state.js';
import { transcriptDefaults } from './transcript/call-transcript.js';
import { registerClassify } from './routes/classify.js';
import { registerConsole } from './routes/console.js';
import type { ServiceContext } from './routes/context.js';
import { registerHealth } from './routes/health.js';
import { registerFeedback } from './routes/feedback.js';
import { registerHttpErrors } from './routes/http-errors.js';
import { registerHttpRateLimit } from './routes/http-rate-limit.js';
import { compileHttpValidator } from './routes/http-validation.js';
import { registerIncidents } from './routes/incidents.js';
import { registerIngest } from './routes/ingest.js';
import { RequestLog } from './routes/request-log.js';
import { registerTwilioIngest } from './routes/ingest-twilio.js';
import { registerSecurityHeaders } from './routes/security-headers.js';
import { registerSubscribe } from './routes/subscribe.js';
import { TenantConnections } from './routes/tenant-connections.js';
import { TenantIngestBudget } from './routes/tenant-ingest-budget.js';
import { CLOSE_GOING_AWAY, logSocketError } from './routes/ws-channel.js';

export interface ServerOptions {
  config: Config;
  classifier: Classifier;
  /** Defaults to the file named by config.policyFile, else the built-in policy. */
  policy?: Policy;
  /** Pass the ones given to loadClassifier's onBatch, so batch sizes are reported. */
  metrics?: Metrics;
  logger?: FastifyServerOptions['logger'];
  /** Where the built console page is; defaults to dist/console in this checkout. */
  consoleDir?: string;
}

/** The service's own settings (PORT, HOST, LOG_LEVEL, MAX_PAYLOAD_BYTES, SHUTDOWN_GRACE_MS, RECORD). */
export const serverDefaults = {
  port: 8080,
  host: '0.0.0.0',
  logLevel: 'info',
  /** The largest WebSocket frame. */
  maxPayloadBytes: 64 * 1024,
  /** On SIGTERM, how long calls may take to flush their cues before sockets are closed. */
  shutdownGraceMs: 5000,
  record: 'on',
} satisfies Partial<Config>;

/** An HTTP body may be this many WebSocket frames long (MAX_PAYLOAD_BYTES each). */
const BODY_LIMIT_IN_FRAMES = 4;

/** The incident record, a failure to open it naming the setting behind it. */
const openRecord = (config: Config, metrics: Metrics, log: FastifyBaseLogger): Promise<IncidentRecord> =>
  IncidentRecord.open(config, metrics, log).catch((error: unknown) => {
    throw config.databaseUrl
      ? settingError(config, 'databaseUrl', 'a PostgreSQL server the service can reach and log in to', error)
      : settingError(config, 'dataDir', 'a folder the service may create and write its SQLite file in', error);
  });

/**
 * TRUST_PROXY=true: the peer that connects is the proxy, and the client is the address it appended
 * last. Fastify's `true` would take the leftmost X-Forwarded-For entry, which the client writes.
 */
const nearestHopOnly = (_address: string, hop: number): boolean => hop === 0;

/** Builds the service around an already loaded classifier; the caller owns the classifier and closes it. */
export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const { config, classifier } = options;
  const metrics = options.metrics ?? createMetrics();
  const app = Fastify({
    logger: options.logger ?? {
      level: config.logLevel,
      // Browsers and Twilio pass the token in the query string; it must not reach the logs.
      serializers: {
        req: (request) => ({ method: request.method, url: withoutToken(request.url), remoteAddress: request.ip }),
      },
    },
    logController: new RequestLog(metrics),
    bodyLimit: config.maxPayloadBytes * BODY_LIMIT_IN_FRAMES,
    trustProxy: config.trustProxy === true ? nearestHopOnly : config.trustProxy,
  });
  // Requests are checked as sent (only a query string's text is read as numbers), by the validator
  // WebSocket messages use, so a failure names its field the same way on every route.
  app.setValidatorCompiler(compileHttpValidator);
  if (config.authTokens === undefined) {
    app.log.warn(
      'AUTH_TOKENS is unset: using the development tokens from src/auth/tokens.ts (tenant "dev"); never run like this in production',
    );
  }
  const tokens = new TokenStore(config.authTokens === undefined ? DEV_TOKENS : parseTokens(config.authTokens));
  const policy = options.policy ?? loadPolicy(config.policyFile);
  const record = config.record === 'on' ? await openRecord(config, metrics, app.log) : undefined;
  const state = openSharedState(
    {
      ...config,
      ...(record ? { observe: record.observe } : {}),
      // Another instance took the call (this one stalled past its lease): stop driving it here.
      onLost: (info) => {
        registry.forget(info);
        record?.forget(info);
      },
      // A call of an instance that died, whose producer did not come back: ended here as any orphaned call.
      onOrphan: (info, signedWebhooksOnly) => registry.adopt(info, signedWebhooksOnly),
      // Acks posted on another instance (an agent's page served there) for a call driven here.
      onAcks: (call) => registry.session(call)?.takePostedAcks(),
    },
    app.log,
    metrics,
  );
  const { hub } = state;
  const registry = new CallRegistry(
    {
      classifier,
      policy,
      hub,
      metrics,
      log: app.log,
      partialDebounceMs: config.partialDebounceMs,
      signsWebhooks: (tenant) => config.twilioAuthTokens.has(tenant),
      transcript: {
        ...transcriptDefaults,
        contextTurns: config.contextTurns,
        partialMinGrowth: config.partialMinGrowth,
      },
    },
    { ...config, onCount: (n) => metrics.liveCalls.set(n) },
  );
  const ctx: ServiceContext = {
    config,
    classifier,
    ingest: new CallIngest(registry, hub, metrics, app.log),
    hub,
    state,
    metrics,
    record,
    tokens,
    connections: new TenantConnections({
      ingest: config.maxIngestConnectionsPerTenant,
      subscribe: config.maxSubscribeConnectionsPerTenant,
    }),
    ingestBudget: new TenantIngestBudget(
      { ratePerSec: config.tenantIngestRatePerSec, burst: config.tenantIngestBurst },
      metrics,
      app.log,
    ),
    lifecycle: { draining: false },
  };
  // After the drain (preClose) has flushed every call's cues: the record writes what it still holds.
  if (record) app.addHook('onClose', () => record.close());
  app.addHook('onClose', () => state.close());

  await app.register(fastifyWebsocket, {
    options: { maxPayload: config.maxPayloadBytes },
    errorHandler: logSocketError,
    // Graceful close: turn new work away, let every call flush its cues, then say goodbye (1001).
    preClose: async function drain(this: FastifyInstance) {
      ctx.lifecycle.draining = true;
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, config.shutdownGraceMs)));
      await Promise.race([registry.settled(), grace]);
      clearTimeout(timer);
      for (const client of this.websocketServer.clients) client.close(CLOSE_GOING_AWAY, 'server shutting down');
    },
  });
  registerHttpErrors(app);
  await registerSecurityHeaders(app);
  await registerHttpRateLimit(app, tokens, config.httpRatePerSec);
  registerHealth(app, ctx);
  registerClassify(app, ctx);
  registerIngest(app, ctx);
  await registerTwilioIngest(app, ctx);
  registerSubscribe(app, ctx);
  registerIncidents(app, ctx);
  registerFeedback(app, ctx);
  registerConsole(app, ctx, options.consoleDir);
  return app;
}
