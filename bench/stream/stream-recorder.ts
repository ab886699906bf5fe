import { summarize, type LatencySummary } from '../latency-stats.js';

/** What a stream step's simulated calls saw, client side; latencies only from sends inside the measured window. */
export class StreamRecorder {
  private readonly finalToCue: number[] = [];
  private readonly finalClassified: number[] = [];
  private readonly partialClassified: number[] = [];
  chunksSent = 0;
  finalsSent = 0;
  cues = 0;
  callsCompleted = 0;
  callsUnfinished = 0;
  lostCues = 0;
  unclassifiedFinals = 0;
  readonly ingestErrors: Record<string, number> = {};

  /** performance.now() from which latency samples count (the end of the ramp). */
  measureFrom = Infinity;

  cueLatency(sentAt: number, receivedAt: number): void {
    if (sentAt >= this.measureFrom) this.finalToCue.push(receivedAt - sentAt);
  }

  classificationLatency(isFinal: boolean, sentAt: number, receivedAt: number): void {
    if (sentAt >= this.measureFrom) (isFinal ? this.finalClassified : this.partialClassified).push(receivedAt - sentAt);
  }

  ingestError(code: string): void {
    this.ingestErrors[code] = (this.ingestErrors[code] ?? 0) + 1;
  }

  /** A call the subscriber saw end: its cues must be 1..lastSeq, each received. */
  callEnded(lastSeq: number, received: ReadonlySet<number>): void {
    this.callsCompleted++;
    for (let seq = 1; seq <= lastSeq; seq++) if (!received.has(seq)) this.lostCues++;
  }

  latencies(): {
    finalToCueMs: LatencySummary | null;
    finalClassifyMs: LatencySummary | null;
    partialClassifyMs: LatencySummary | null;
  } {
    return {
      finalToCueMs: summarize(this.finalToCue),
      finalClassifyMs: summarize(this.finalClassified),
      partialClassifyMs: summarize(this.partialClassified),
    };
  }
}
