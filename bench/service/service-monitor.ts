import { lagBeyondResolutionMs } from '../event-loop-lag.js';
import { histogramBetween, MetricsSnapshot, type HistogramFigures } from './service-metrics.js';

const SAMPLE_EVERY_MS = 5000;
const MS_PER_SECOND = 1000;
const RSS = 'callguard_process_resident_memory_bytes';

/** What the service says about itself over a measured window (from its /metrics). */
export interface ServerFigures {
  /** Mean CPU over the window, all threads; 100 = one core. */
  cpuPercent: number;
  rssPeakMb: number;
  /** How late the event loop ran its timers: the worst p99 and the max of the 5 s samples, ms. */
  eventLoopLagP99Ms: number;
  eventLoopLagMaxMs: number;
  batches: number;
  batchSizeMean: number;
  batchRunMeanMs: number;
  /** Service-side classification latency (queueing + batch run), by priority, ms (`POST /v1/classify` texts are bulk). */
  classifyFinalMs: HistogramFigures;
  classifyPartialMs: HistogramFigures;
  classifyBulkMs: HistogramFigures;
  /** Service-side final segment in → cue out (the hub), ms. */
  finalToCueMs: HistogramFigures;
  classifyFailures: number;
}

/** Samples the service's /metrics through a window every 5 s (as often as a Prometheus scrape, not more), for peaks. */
export class ServiceMonitor {
  private readonly samples: MetricsSnapshot[] = [];
  private readonly timer: NodeJS.Timeout;
  private sampling: Promise<void> = Promise.resolve();

  // The first scrape also restarts the service's event-loop delay histogram (prom-client resets it on every scrape).
  private constructor(
    private readonly http: string,
    private readonly first: MetricsSnapshot,
  ) {
    this.timer = setInterval(() => {
      this.sampling = MetricsSnapshot.scrape(http).then(
        (snapshot) => void this.samples.push(snapshot),
        () => undefined, // a missed sample only thins the samples
      );
    }, SAMPLE_EVERY_MS);
  }

  static async start(http: string): Promise<ServiceMonitor> {
    return new ServiceMonitor(http, await MetricsSnapshot.scrape(http));
  }

  async stop(): Promise<ServerFigures> {
    clearInterval(this.timer);
    await this.sampling;
    const last = await MetricsSnapshot.scrape(this.http);
    this.samples.push(last);
    const worst = (name: string) => Math.max(...this.samples.map((sample) => sample.sum(name) * MS_PER_SECOND));
    const between = (name: string, labels: Record<string, string> = {}, scale = 1) =>
      histogramBetween(this.first, last, name, labels, scale);
    const cpuSeconds =
      last.sum('callguard_process_cpu_seconds_total') - this.first.sum('callguard_process_cpu_seconds_total');
    const batchSize = between('callguard_classifier_batch_size');
    return {
      cpuPercent: (cpuSeconds / ((last.at - this.first.at) / MS_PER_SECOND)) * 100,
      rssPeakMb: Math.max(this.first.sum(RSS), ...this.samples.map((sample) => sample.sum(RSS))) / 2 ** 20,
      eventLoopLagP99Ms: lagBeyondResolutionMs(worst('callguard_nodejs_eventloop_lag_p99_seconds')),
      eventLoopLagMaxMs: lagBeyondResolutionMs(worst('callguard_nodejs_eventloop_lag_max_seconds')),
      batches: batchSize.count,
      batchSizeMean: batchSize.mean,
      batchRunMeanMs: between('callguard_classifier_batch_run_seconds', {}, MS_PER_SECOND).mean,
      classifyFinalMs: between('callguard_classify_seconds', { priority: 'final' }, MS_PER_SECOND),
      classifyPartialMs: between('callguard_classify_seconds', { priority: 'partial' }, MS_PER_SECOND),
      classifyBulkMs: between('callguard_classify_seconds', { priority: 'bulk' }, MS_PER_SECOND),
      finalToCueMs: between('callguard_final_segment_to_cue_seconds', {}, MS_PER_SECOND),
      classifyFailures:
        last.sum('callguard_classify_failures_total') - this.first.sum('callguard_classify_failures_total'),
    };
  }
}
