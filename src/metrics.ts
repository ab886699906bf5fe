import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BatchInfo } from './classifier/index.js';

const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** The service's Prometheus metrics, in a registry of its own (so test servers do not collide). */
export function createMetrics() {
  const registry = new Registry();
  // Node's metrics carry their own process_/nodejs_ prefix: callguard_process_cpu_seconds_total.
  collectDefaultMetrics({ register: registry, prefix: 'callguard_' });
  const counter = <L extends string = never>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Counter<L>({ name, help, labelNames, registers: [registry] });
  const gauge = <L extends string = never>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Gauge<L>({ name, help, labelNames, registers: [registry] });
  const histogram = <L extends string = never>(
    name: string,
    help: string,
    buckets: number[],
    labelNames: readonly L[] = [],
  ) => new Histogram<L>({ name, help, buckets, labelNames, registers: [registry] });
  const m = {
    registry,
    finalToCue: histogram(
      'callguard_final_segment_to_cue_seconds',
      'From a final transcript segment arriving to the cue it triggered leaving the hub.',
      SECONDS,
    ),
    classifyLatency: histogram(
      'callguard_classify_seconds',
      'Classification latency as seen by the service (queueing included), by priority and source.',
      SECONDS,
      ['source', 'priority'],
    ),
    batchSize: histogram('callguard_classifier_batch_size', 'Texts per model batch.', [1, 2, 4, 8, 16, 32, 64, 128]),
    batchRun: histogram('callguard_classifier_batch_run_seconds', 'Model run time per batch.', SECONDS),
    queueDepth: gauge('callguard_classifier_queue_depth', 'Requests waiting for a batch.'),
    classifyFailures: counter(
      'callguard_classify_failures_total',
      'Classifications that failed (queue full, shutting down, model error), by reason.',
      ['reason'],
    ),
    connections: gauge('callguard_ws_connections', 'Open WebSocket connections by route.', ['route']),
    liveCalls: gauge('callguard_live_calls', 'Calls started and not yet ended.'),
    cues: counter('callguard_cues_total', 'Cues emitted, by type.', ['type']),
    chunks: counter('callguard_chunks_total', 'Transcript chunks received, by outcome.', ['outcome']),
    providerDrops: counter(
      'callguard_provider_messages_dropped_total',
      'Valid provider messages that gave no transcript (a closed segment, a duplicate, a retried webhook), by format and reason.',
      ['format', 'reason'],
    ),
    rejected: counter(
      'callguard_ws_messages_rejected_total',
      'WebSocket messages answered with an error, by route and code.',
      ['route', 'code'],
    ),
    finalsUnclassified: counter(
      'callguard_finals_unclassified_total',
      'Accepted finals that could not be classified after retries (subscribers got an unclassified event), by reason.',
      ['reason'],
    ),
    internalErrors: counter(
      'callguard_internal_errors_total',
      'Failures caught inside the service (logged; the process goes on), by where.',
      ['where'],
    ),
    httpRefused: counter(
      'callguard_http_refused_total',
      'HTTP requests and WebSocket upgrades refused for their token (401, 403) or their pace (429), by status.',
      ['status'],
    ),
    wsClosed: counter(
      'callguard_ws_closed_total',
      'WebSocket connections the service closed, by route and reason (slow-reader, no-pong).',
      ['route', 'reason'],
    ),
    tenantIngestPauses: counter(
      'callguard_tenant_ingest_pauses_total',
      "Times a tenant's ingest connections were held (not read) because its messages on this instance went over TENANT_INGEST_RATE_PER_SEC; nothing was refused.",
    ),
    callsExpired: counter(
      'callguard_calls_expired_total',
      'Calls the service ended itself, by reason (orphaned: no producer left; idle: no message for CALL_IDLE_TIMEOUT_MS).',
      ['reason'],
    ),
    recordWrites: counter(
      'callguard_record_writes_total',
      'Incident-record writes, by outcome (written; dropped: the write queue was full; failed: a batch failed and is retried).',
      ['outcome'],
    ),
    recordQueueDepth: gauge('callguard_record_queue_depth', 'Incident-record writes waiting, after the latest batch.'),
    leaseTakeovers: counter(
      'callguard_lease_takeovers_total',
      'Live calls this instance took over from another instance (one that died, stalled past its lease or shut down).',
    ),
    leasesLost: counter(
      'callguard_leases_lost_total',
      'Calls another instance took from this one while it still drove them (it stalled past its lease); it stops driving them.',
    ),
    fencingRejections: counter(
      'callguard_fencing_rejections_total',
      "Writes of a call refused because this instance's lease on it had run out or passed to another instance (fencing).",
    ),
    redisConnectionErrors: counter(
      'callguard_redis_connection_errors_total',
      'Errors on a Redis connection (unreachable, reset, refused), by connection (store: commands; events: Pub/Sub).',
      ['connection'],
    ),
    redisReconnects: counter(
      'callguard_redis_reconnects_total',
      'Redis connections ready again after they were lost, by connection.',
      ['connection'],
    ),
    redisCueAppend: histogram(
      'callguard_redis_cue_append_seconds',
      "Round trip of appending a ladder step's cues to Redis (with the ladder state, fenced, published), as the call's owner sees it.",
      SECONDS,
    ),
    observeBatch(info: BatchInfo): void {
      m.batchSize.observe(info.size);
      m.batchRun.observe(info.runMs / 1000);
    },
  };
  return m;
}

export type Metrics = ReturnType<typeof createMetrics>;
