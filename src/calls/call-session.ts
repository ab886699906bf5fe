import type { FastifyBaseLogger } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { QueueFullError } from '../classifier/micro-batcher.js';
import type { Classifier, Priority, Verdict } from '../classifier/verdict.js';
import type { CallInfo, CueHub } from '../cues/cue-hub.js';
import { advance } from '../ladder/ladder.js';
import type { Policy } from '../ladder/policy.js';
import { initialLadderState, type LadderEvent, type LadderState } from '../ladder/state.js';
import type { Metrics } from '../metrics.js';
import type { AckStep } from '../protocol/common.js';
import type { AckStatus } from '../protocol/ingest-messages.js';
import type { SpeakerRole, TranscriptChunk } from '../protocol/transcript-chunk.js';
import { CallTranscript, type TranscriptOptions } from '../transcript/call-transcript.js';

export interface SessionDeps {
  classifier: Classifier;
  policy: Policy;
  hub: CueHub;
  metrics: Metrics;
  log: FastifyBaseLogger;
  transcript: TranscriptOptions;
  partialDebounceMs: number;
}

/** When a chunk arrived: wall clock for the cue's timestamps, monotonic clock for the latency metric. */
export interface Arrival {
  at: number;
  perf: number;
}

export const arrivalNow = (): Arrival => ({ at: Date.now(), perf: performance.now() });

/**
 * Waits before asking again when the classifier's queue is full: a final is never dropped for a
 * moment's overload (about 3 s in all; the producer's ack has already gone out).
 */
const FINAL_RETRY_DELAYS_MS = [25, 50, 100, 200, 400, 800, 1600];

interface PartialWork {
  chunk: TranscriptChunk;
  timer: NodeJS.Timeout | undefined;
}

/**
 * One live call: assembles its transcript, classifies what matters, runs the ladder and hands the
 * cues to the hub. Finals are classified at once and in parallel, but applied to the ladder in the
 * order they arrived; partials are debounced and only label the live transcript (and warm the
 * verdict for a final that repeats them word for word).
 */
export class CallSession {
  private ladder: LadderState = initialLadderState();
  private readonly transcript: CallTranscript;
  private chain: Promise<void> = Promise.resolve();
  private readonly partials = new Map<string, PartialWork>();
  /** The last partial verdict per open segment, reused when the final's text is the same. */
  private readonly partialVerdicts = new Map<string, { text: string; verdict: Promise<Verdict> }>();
  private lastEndMs = 0;
  private ended = false;

  constructor(
    readonly info: CallInfo,
    private readonly deps: SessionDeps,
  ) {
    this.transcript = new CallTranscript(deps.transcript);
    deps.hub.openCall(info);
  }

  get step() {
    return this.ladder.step;
  }

  ingest(chunk: TranscriptChunk, arrival: Arrival): AckStatus {
    const assembly = this.transcript.accept(chunk);
    this.deps.metrics.chunks.inc({ outcome: assembly.kind });
    if (assembly.kind === 'duplicate' || assembly.kind === 'stale') return assembly.kind;
    this.lastEndMs = Math.max(this.lastEndMs, chunk.endMs);
    if (assembly.kind === 'final') {
      this.final(chunk, assembly.context, arrival);
      return 'accepted';
    }
    this.publishTranscript(chunk);
    const pending = this.partials.get(chunk.segmentId);
    if (pending) pending.chunk = chunk;
    else if (assembly.kind === 'partial') this.schedulePartial(chunk);
    return 'accepted';
  }

  acknowledge(step: AckStep): void {
    this.apply({ type: 'agent-ack', step, atMs: this.lastEndMs });
  }

  /** Ends the call once every final already received has been through the ladder. */
  end(): Promise<void> {
    if (!this.ended) {
      this.ended = true;
      for (const work of this.partials.values()) clearTimeout(work.timer);
      this.partials.clear();
      this.apply({ type: 'call-end', atMs: this.lastEndMs });
      this.chain = this.chain.then(() => this.deps.hub.endCall(this.info));
    }
    return this.chain;
  }

  /** Resolves when everything received so far has produced its cues. */
  settled(): Promise<void> {
    return this.chain;
  }

  private final(chunk: TranscriptChunk, context: string[], arrival: Arrival): void {
    const work = this.partials.get(chunk.segmentId);
    if (work) clearTimeout(work.timer);
    this.partials.delete(chunk.segmentId);
    const warmed = this.partialVerdicts.get(chunk.segmentId);
    this.partialVerdicts.delete(chunk.segmentId);
    const text = chunk.text.trim();
    if (text === '') return;
    const verdict =
      warmed && warmed.text === text ? warmed.verdict.catch(() => this.classifyFinal(text, chunk.speaker)) : this.classifyFinal(text, chunk.speaker);
    // Settle the promise now so a failure is handled even while earlier finals are still queued.
    const outcome = verdict.then(
      (v) => ({ ok: true as const, v }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    this.chain = this.chain.then(async () => {
      const result = await outcome;
      if (!result.ok) {
        this.deps.log.error({ err: result.error, callId: this.info.callId, segmentId: chunk.segmentId }, 'final segment could not be classified');
        return;
      }
      this.publishTranscript(chunk, result.v);
      const utterance = { utteranceId: chunk.segmentId, speaker: chunk.speaker, text: chunk.text, verdict: result.v, startMs: chunk.startMs, endMs: chunk.endMs };
      this.runLadder({ type: 'utterance', utterance, context }, arrival);
    });
  }

  private schedulePartial(chunk: TranscriptChunk): void {
    const work: PartialWork = { chunk, timer: undefined };
    this.partials.set(chunk.segmentId, work);
    work.timer = setTimeout(() => this.classifyPartial(work), this.deps.partialDebounceMs);
  }

  private classifyPartial(work: PartialWork): void {
    const { chunk } = work;
    this.partials.delete(chunk.segmentId);
    if (this.ended || !this.transcript.isLatest(chunk.segmentId, chunk.seq)) return;
    const text = chunk.text.trim();
    const verdict = this.classify(text, 'partial', chunk.speaker);
    this.partialVerdicts.set(chunk.segmentId, { text, verdict });
    if (this.partialVerdicts.size > this.deps.transcript.maxOpenSegments) {
      const oldest = this.partialVerdicts.keys().next();
      if (!oldest.done) this.partialVerdicts.delete(oldest.value);
    }
    verdict.then(
      (v) => {
        // A newer revision or the final has superseded this one: its label would be stale.
        if (!this.ended && this.transcript.isLatest(chunk.segmentId, chunk.seq)) this.publishTranscript(chunk, v);
      },
      () => undefined, // partials are speculative; a full queue just skips them
    );
  }

  private async classifyFinal(text: string, speaker: SpeakerRole): Promise<Verdict> {
    for (const delayMs of FINAL_RETRY_DELAYS_MS) {
      try {
        return await this.classify(text, 'final', speaker);
      } catch (error) {
        if (!(error instanceof QueueFullError)) throw error;
      }
      await sleep(delayMs);
    }
    return this.classify(text, 'final', speaker);
  }

  private async classify(text: string, priority: Priority, speaker: SpeakerRole): Promise<Verdict> {
    const started = performance.now();
    try {
      return await this.deps.classifier.classify(text, priority, speaker);
    } catch (error) {
      this.deps.metrics.classifyFailures.inc({ reason: (error as Error).name ?? 'Error' });
      throw error;
    } finally {
      this.deps.metrics.classifyLatency.observe({ source: 'ingest', priority }, (performance.now() - started) / 1000);
    }
  }

  private apply(event: LadderEvent): void {
    this.chain = this.chain.then(() => this.runLadder(event));
  }

  private runLadder(event: LadderEvent, arrival?: Arrival): void {
    const { state, cues } = advance(this.ladder, event, this.deps.policy);
    this.ladder = state;
    const { hub, metrics } = this.deps;
    for (const draft of cues) {
      hub.publish(this.info, draft, arrival?.at);
      metrics.cues.inc({ type: draft.type });
      if (arrival) metrics.finalToCue.observe((performance.now() - arrival.perf) / 1000);
    }
    hub.setStep(this.info, state.step);
  }

  private publishTranscript(chunk: TranscriptChunk, verdict?: Verdict): void {
    const { callId, segmentId, speaker, isFinal, text, startMs, endMs } = chunk;
    this.deps.hub.transcript(this.info, {
      type: 'transcript',
      callId,
      segmentId,
      speaker,
      isFinal,
      text,
      startMs,
      endMs,
      ...(verdict ? { label: verdict.label, scores: verdict.scores, spans: verdict.spans } : {}),
    });
  }
}
