import type { FastifyBaseLogger } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { QueueFullError } from '../classifier/micro-batcher.js';
import {
  MAX_CONTEXT_TURNS,
  type Classifier,
  type ContextTurn,
  type Priority,
  type Verdict,
} from '../classifier/verdict.js';
import { advance } from '../ladder/ladder.js';
import type { Policy } from '../ladder/policy.js';
import type { LadderEvent } from '../ladder/state.js';
import type { Metrics } from '../metrics.js';
import type { AckStep } from '../protocol/common.js';
import type { AckStatus } from '../protocol/ingest-messages.js';
import type { SpeakerRole, TranscriptChunk } from '../protocol/transcript-chunk.js';
import { FencedError, type CallInfo } from '../state/call-state.js';
import type { OwnedCall, SharedHub } from '../state/shared-hub.js';
import { CallTranscript, type TranscriptOptions } from '../transcript/call-transcript.js';

export interface SessionDeps {
  classifier: Classifier;
  policy: Policy;
  hub: SharedHub;
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
 * moment's overload (about 3 s in all; the producer's ack has already gone out). One that still
 * cannot be classified is announced to the call's subscribers as `unclassified`.
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
  private readonly transcript: CallTranscript;
  private chain: Promise<void> = Promise.resolve();
  private readonly partials = new Map<string, PartialWork>();
  /** The last partial verdict per open segment, reused when the final's text is the same. */
  private readonly partialVerdicts = new Map<string, { text: string; verdict: Promise<Verdict> }>();
  /** The call's last finals, both speakers, oldest first: the classifier reads each line with them. */
  private readonly recentFinals: ContextTurn[] = [];
  private lastEndMs = 0;
  private ended = false;
  /**
   * This opening of the call in the hub, with the ladder where its last owner left it (undefined:
   * another instance drives the call). Work left over after the call is started again, or taken
   * by another instance, cannot reach it.
   */
  readonly opened: Promise<OwnedCall | undefined>;

  constructor(
    readonly info: CallInfo,
    private readonly deps: SessionDeps,
  ) {
    this.transcript = new CallTranscript(deps.transcript);
    this.opened = deps.hub.openCall(info).catch((error: unknown) => {
      this.failed('open', error);
      return undefined;
    });
    this.chain = this.opened.then(() => undefined);
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
    this.publishTranscript(chunk).catch((error: unknown) => this.failed('transcript', error));
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
      this.enqueue('end', () => this.withCall((call) => this.deps.hub.endCall(call)));
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
    const finals = [...this.recentFinals];
    this.recentFinals.push({ speaker: chunk.speaker, text });
    if (this.recentFinals.length > MAX_CONTEXT_TURNS) this.recentFinals.shift();
    // A partial was read with the same earlier finals, so its verdict stands for a final with its words.
    const verdict =
      warmed && warmed.text === text
        ? warmed.verdict.catch(() => this.classifyFinal(text, chunk.speaker, finals))
        : this.classifyFinal(text, chunk.speaker, finals);
    // Settle the promise now so a failure is handled even while earlier finals are still queued.
    const outcome = verdict.then(
      (v) => ({ ok: true as const, v }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    this.enqueue('final', async () => {
      const result = await outcome;
      if (!result.ok) return this.unclassified(chunk, result.error);
      const utterance = {
        utteranceId: chunk.segmentId,
        speaker: chunk.speaker,
        text: chunk.text,
        verdict: result.v,
        startMs: chunk.startMs,
        endMs: chunk.endMs,
      };
      // Both writes leave in this order on the store's one connection; neither waits for the other.
      await Promise.all([
        this.publishTranscript(chunk, result.v),
        this.runLadder({ type: 'utterance', utterance, context }, arrival),
      ]);
    });
  }

  private unclassified(chunk: TranscriptChunk, error: unknown): Promise<void> {
    const reason = error instanceof QueueFullError ? 'overloaded' : 'failed';
    const { callId, segmentId, speaker, startMs, endMs } = chunk;
    this.deps.log.warn(
      { err: error, callId, segmentId, reason },
      'final segment could not be classified; subscribers are told',
    );
    this.deps.metrics.finalsUnclassified.inc({ reason });
    return this.withCall((call) =>
      this.deps.hub.unclassified(call, { type: 'unclassified', callId, segmentId, speaker, startMs, endMs, reason }),
    );
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
    const verdict = this.classify(text, 'partial', chunk.speaker, [...this.recentFinals]);
    this.partialVerdicts.set(chunk.segmentId, { text, verdict });
    if (this.partialVerdicts.size > this.deps.transcript.maxOpenSegments) {
      const oldest = this.partialVerdicts.keys().next();
      if (!oldest.done) this.partialVerdicts.delete(oldest.value);
    }
    verdict
      .then(
        (v) => {
          // A newer revision or the final has superseded this one: its label would be stale.
          if (!this.ended && this.transcript.isLatest(chunk.segmentId, chunk.seq))
            return this.publishTranscript(chunk, v);
        },
        () => undefined, // partials are speculative; a full queue just skips them
      )
      .catch((error: unknown) => this.failed('partial', error));
  }

  private async classifyFinal(text: string, speaker: SpeakerRole, context: readonly ContextTurn[]): Promise<Verdict> {
    for (const delayMs of FINAL_RETRY_DELAYS_MS) {
      try {
        return await this.classify(text, 'final', speaker, context);
      } catch (error) {
        if (!(error instanceof QueueFullError)) throw error;
      }
      await sleep(delayMs);
    }
    return this.classify(text, 'final', speaker, context);
  }

  private async classify(
    text: string,
    priority: Priority,
    speaker: SpeakerRole,
    context?: readonly ContextTurn[],
  ): Promise<Verdict> {
    const started = performance.now();
    try {
      // The tenant is the fairness lane: a busy tenant cannot starve another of the classifier.
      return await this.deps.classifier.classify(text, priority, speaker, context, this.info.tenant);
    } catch (error) {
      this.deps.metrics.classifyFailures.inc({ reason: (error as Error).name ?? 'Error' });
      throw error;
    } finally {
      this.deps.metrics.classifyLatency.observe({ source: 'ingest', priority }, (performance.now() - started) / 1000);
    }
  }

  private apply(event: LadderEvent): void {
    this.enqueue('ladder', () => this.runLadder(event));
  }

  /** Work applied in arrival order; a step that throws is logged and counted, and the chain goes on. */
  private enqueue(where: string, step: () => void | Promise<void>): void {
    this.chain = this.chain.then(step).catch((error: unknown) => this.failed(where, error));
  }

  private failed(where: string, error: unknown): void {
    if (error instanceof FencedError) {
      // The call was started again, or another instance took it: what this opening still had to say is void.
      this.deps.log.info(
        { callId: this.info.callId, where, reason: error.message },
        'late work of a call no longer driven here dropped',
      );
      return;
    }
    this.deps.log.error({ err: error, callId: this.info.callId, where }, 'call session step failed');
    this.deps.metrics.internalErrors.inc({ where: `session-${where}` });
  }

  /** Runs `work` with this opening of the call, unless another instance drives it. */
  private async withCall(work: (call: OwnedCall) => Promise<void>): Promise<void> {
    const call = await this.opened;
    if (call) await work(call);
  }

  private runLadder(event: LadderEvent, arrival?: Arrival): Promise<void> {
    const { hub, metrics, policy } = this.deps;
    return this.withCall(async (call) => {
      const cues = await hub.apply(call, (state) => advance(state, event, policy), arrival?.at);
      for (const cue of cues) {
        metrics.cues.inc({ type: cue.type });
        if (arrival) metrics.finalToCue.observe((performance.now() - arrival.perf) / 1000);
      }
    });
  }

  /** Sends a transcript event in the order the session makes them (partials are published outside the chain). */
  private publishTranscript(chunk: TranscriptChunk, verdict?: Verdict): Promise<void> {
    const { callId, segmentId, speaker, isFinal, text, startMs, endMs } = chunk;
    return this.withCall((call) =>
      this.deps.hub.transcript(call, {
        type: 'transcript',
        callId,
        segmentId,
        speaker,
        isFinal,
        text,
        startMs,
        endMs,
        ...(verdict ? { label: verdict.label, scores: verdict.scores, spans: verdict.spans } : {}),
      }),
    );
  }
}
