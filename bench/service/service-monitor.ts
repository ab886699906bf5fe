import { histogramBetween, MetricsSnapshot, type HistogramFigures } from './service-metrics.js';

const SAMPLE_EVERY_MS = 5000;
const MS_PER_SECOND = 1000;

/** What the service says about itself over a measured window (from its /metrics). */
export interface ServerFigures {
  /** Mean CPU over the window, all threads; 100 = one core. */
  cpuPercent: number;
  rssPeakMb: number;
  batches: number;
  batchSizeMean: number;
  batchRunMeanMs: number;
  /** Service-side classification latency (queueing + batch run), by priority, ms. */
  classifyFinalMs: HistogramFigures;
  classifyPartialMs: HistogramFigures;
  /** Service-side final segment in → cue out (the hub), ms. */
  finalToCueMs: HistogramFigures;
  classifyFailures: number;
}

/** Samples the service's /metrics through a window; RSS every 5 s for its peak (as often as a Prometheus scrape, not more). */
export class ServiceMonitor {
  private rssPeak: number;
  private readonly timer: NodeJS.Timeout;
  private sampling: Promise<void> = Promise.resolve();

  private constructor(
    private readonly http: string,
    private readonly first: MetricsSnapshot,
  ) {
    this.rssPeak = residentBytes(first);
    this.timer = setInterval(() => {
      this.sampling = MetricsSnapshot.scrape(http).then(
        (snapshot) => void (this.rssPeak = Math.max(this.rssPeak, residentBytes(snapshot))),
        () => undefined, // a missed sample only thins the RSS samples
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
    this.rssPeak = Math.max(this.rssPeak, residentBytes(last));
    const between = (name: string, labels: Record<string, string> = {}, scale = 1) => histogramBetween(this.first, last, name, labels, scale);
    const cpuSeconds = last.sum('callguard_process_process_cpu_seconds_total') - this.first.sum('callguard_process_process_cpu_seconds_total');
    const batchSize = between('callguard_classifier_batch_size');
    return {
      cpuPercent: (cpuSeconds / ((last.at - this.first.at) / MS_PER_SECOND)) * 100,
      rssPeakMb: this.rssPeak / 2 ** 20,
      batches: batchSize.count,
      batchSizeMean: batchSize.mean,
      batchRunMeanMs: between('callguard_classifier_batch_run_seconds', {}, MS_PER_SECOND).mean,
      classifyFinalMs: between('callguard_classify_seconds', { priority: 'final' }, MS_PER_SECOND),
      classifyPartialMs: between('callguard_classify_seconds', { priority: 'partial' }, MS_PER_SECOND),
      finalToCueMs: between('callguard_final_segment_to_cue_seconds', {}, MS_PER_SECOND),
      classifyFailures: last.sum('callguard_classify_failures_total') - this.first.sum('callguard_classify_failures_total'),
    };
  }
}

const residentBytes = (snapshot: MetricsSnapshot): number => snapshot.sum('callguard_process_process_resident_memory_bytes');
