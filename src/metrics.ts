import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BatchInfo } from './classifier/index.js';

const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** The service's Prometheus metrics, in a registry of its own (so test servers do not collide). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'callguard_process_' });
  const m = {
    registry,
    finalToCue: new Histogram({
      name: 'callguard_final_segment_to_cue_seconds',
      help: 'From a final transcript segment arriving to the cue it triggered leaving the hub.',
      buckets: SECONDS,
      registers: [registry],
    }),
    classifyLatency: new Histogram({
      name: 'callguard_classify_seconds',
      help: 'Classification latency as seen by the service (queueing included), by priority and source.',
      labelNames: ['source', 'priority'] as const,
      buckets: SECONDS,
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: 'callguard_classifier_batch_size',
      help: 'Texts per model batch.',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128],
      registers: [registry],
    }),
    batchRun: new Histogram({
      name: 'callguard_classifier_batch_run_seconds',
      help: 'Model run time per batch.',
      buckets: SECONDS,
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'callguard_classifier_queue_depth',
      help: 'Requests waiting for a batch.',
      registers: [registry],
    }),
    classifyFailures: new Counter({
      name: 'callguard_classify_failures_total',
      help: 'Classifications that failed (queue full, shutting down, model error), by reason.',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    connections: new Gauge({
      name: 'callguard_ws_connections',
      help: 'Open WebSocket connections by route.',
      labelNames: ['route'] as const,
      registers: [registry],
    }),
    liveCalls: new Gauge({
      name: 'callguard_live_calls',
      help: 'Calls started and not yet ended.',
      registers: [registry],
    }),
    cues: new Counter({
      name: 'callguard_cues_total',
      help: 'Cues emitted, by type.',
      labelNames: ['type'] as const,
      registers: [registry],
    }),
    chunks: new Counter({
      name: 'callguard_chunks_total',
      help: 'Transcript chunks received, by outcome.',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    providerDrops: new Counter({
      name: 'callguard_provider_messages_dropped_total',
      help: 'Valid provider messages that gave no transcript (a closed segment, a duplicate, a retried webhook), by format and reason.',
      labelNames: ['format', 'reason'] as const,
      registers: [registry],
    }),
    rejected: new Counter({
      name: 'callguard_ws_messages_rejected_total',
      help: 'WebSocket messages answered with an error, by route and code.',
      labelNames: ['route', 'code'] as const,
      registers: [registry],
    }),
    finalsUnclassified: new Counter({
      name: 'callguard_finals_unclassified_total',
      help: 'Accepted finals that could not be classified after retries (subscribers got an unclassified event), by reason.',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    internalErrors: new Counter({
      name: 'callguard_internal_errors_total',
      help: 'Failures caught inside the service (logged; the process goes on), by where.',
      labelNames: ['where'] as const,
      registers: [registry],
    }),
    wsClosed: new Counter({
      name: 'callguard_ws_closed_total',
      help: 'WebSocket connections the service closed, by route and reason (slow-reader, no-pong).',
      labelNames: ['route', 'reason'] as const,
      registers: [registry],
    }),
    callsExpired: new Counter({
      name: 'callguard_calls_expired_total',
      help: 'Calls the service ended itself, by reason (orphaned: no producer left; idle: no message for CALL_IDLE_TIMEOUT_MS).',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    recordWrites: new Counter({
      name: 'callguard_record_writes_total',
      help: 'Incident-record writes, by outcome (written; dropped: the write queue was full; failed: a batch failed and is retried).',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    recordQueueDepth: new Gauge({
      name: 'callguard_record_queue_depth',
      help: 'Incident-record writes waiting, after the latest batch.',
      registers: [registry],
    }),
    observeBatch(info: BatchInfo): void {
      m.batchSize.observe(info.size);
      m.batchRun.observe(info.runMs / 1000);
    },
  };
  return m;
}

export type Metrics = ReturnType<typeof createMetrics>;
