import { BoundedMap } from '../bounded.js';
import { QueueFullError } from '../classifier/micro-batcher.js';
import { MAX_CONTEXT_TURNS, type Priority } from '../classifier/classifier.js';
import type { ContextTurn, Verdict } from '../protocol/verdict.js';
import type { SpeakerRole, TranscriptChunk } from '../protocol/transcript-chunk.js';

interface SchedulerOptions {
  /** Classifies one line of the call, read with the call's finals before it. */
  classify: (
    text: string,
    priority: Priority,
    speaker: SpeakerRole,
    context: readonly ContextTurn[],
  ) => Promise<Verdict>;
  /** Whether the chunk is still its segment's newest revision (a verdict for an older one is stale). */
  isLatest: (chunk: TranscriptChunk) => boolean;
  /** Shows a partial's verdict on the live transcript. */
  labelPartial: (chunk: TranscriptChunk, verdict: Verdict) => Promise<void>;
  /** A step that threw (logged and counted by the caller); the steps after it still run. */
  failed: (where: string, error: unknown) => void;
  partialDebounceMs: number;
  /** Partial verdicts kept for finals that repeat them (one per open segment). */
  keptPartialVerdicts: number;
}

/** What classifying a final came to, handed over in the order the finals arrived. */
export type FinalVerdict = { ok: true; verdict: Verdict } | { ok: false; error: unknown };

/**
 * Waits before asking again when the classifier's queue is full: a final is never dropped for a
 * moment's overload (about 3 s in all; the producer's ack has already gone out). One that still
 * cannot be classified is handed over as failed.
 */
const FINAL_RETRY_DELAYS_MS = [25, 50, 100, 200, 400, 800, 1600];

// The global timer (not node:timers/promises), so that tests with fake timers control the retries.
const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface PartialWork {
  chunk: TranscriptChunk;
  timer: NodeJS.Timeout | undefined;
}

/**
 * When a call's lines are classified, and in what order their results are used. Finals are
 * classified at once and in parallel, but handed over in the order they arrived, in line with the
 * call's other ordered steps (acks, the end); partials are debounced, labelled only while still
 * the newest revision, and their verdict is kept for a final that repeats them word for word.
 */
export class ClassificationScheduler {
  private chain: Promise<void>;
  private readonly partials = new Map<string, PartialWork>();
  /** The last partial verdict per open segment, reused when the final has its words and its context. */
  private readonly partialVerdicts: BoundedMap<
    string,
    { text: string; context: readonly ContextTurn[]; verdict: Promise<Verdict> }
  >;
  /** The call's last finals, both speakers, oldest first: the classifier reads each line with them. */
  private readonly recentFinals: ContextTurn[] = [];
  private stopped = false;

  /** No step runs before `startAfter` resolves. */
  constructor(
    private readonly options: SchedulerOptions,
    startAfter: Promise<unknown>,
  ) {
    this.chain = startAfter.then(() => undefined);
    this.partialVerdicts = new BoundedMap(options.keptPartialVerdicts);
  }

  /**
   * A newer revision of an open segment: replaces the one waiting out the debounce, or, when its
   * words might change the label (`mightRelabel`), is classified once the debounce has passed.
   */
  partial(chunk: TranscriptChunk, mightRelabel: boolean): void {
    const pending = this.partials.get(chunk.segmentId);
    if (pending) pending.chunk = chunk;
    else if (mightRelabel) this.schedulePartial(chunk);
  }

  /**
   * Classifies a final now and hands its verdict to `use` after every step enqueued before it;
   * false (nothing to classify) for a final without words.
   */
  final(chunk: TranscriptChunk, use: (verdict: FinalVerdict) => Promise<void>): boolean {
    const work = this.partials.get(chunk.segmentId);
    if (work) clearTimeout(work.timer);
    this.partials.delete(chunk.segmentId);
    const warmed = this.partialVerdicts.get(chunk.segmentId);
    this.partialVerdicts.delete(chunk.segmentId);
    const text = chunk.text.trim();
    if (text === '') return false;
    const finals = [...this.recentFinals];
    this.recentFinals.push({ speaker: chunk.speaker, text });
    if (this.recentFinals.length > MAX_CONTEXT_TURNS) this.recentFinals.shift();
    // A partial read with the same words and the same earlier finals gave the verdict this final would get.
    const verdict =
      warmed && warmed.text === text && sameTurns(warmed.context, finals)
        ? warmed.verdict.catch(() => this.classifyFinal(text, chunk.speaker, finals))
        : this.classifyFinal(text, chunk.speaker, finals);
    // Settle the promise now so a failure is handled even while earlier finals are still queued.
    const outcome = verdict.then(
      (v): FinalVerdict => ({ ok: true, verdict: v }),
      (error: unknown): FinalVerdict => ({ ok: false, error }),
    );
    this.inOrder('final', async () => use(await outcome));
    return true;
  }

  /** Runs `step` after every step enqueued before it; one that throws goes to `failed`. */
  inOrder(where: string, step: () => void | Promise<void>): void {
    this.chain = this.chain.then(step).catch((error: unknown) => this.options.failed(where, error));
  }

  /** Drops the partials waiting out their debounce; no partial is labelled from now on. */
  stop(): void {
    this.stopped = true;
    for (const work of this.partials.values()) clearTimeout(work.timer);
    this.partials.clear();
  }

  /** Resolves when every step enqueued so far has run. */
  settled(): Promise<void> {
    return this.chain;
  }

  private schedulePartial(chunk: TranscriptChunk): void {
    const work: PartialWork = { chunk, timer: undefined };
    this.partials.set(chunk.segmentId, work);
    work.timer = setTimeout(() => this.classifyPartial(work), this.options.partialDebounceMs);
  }

  private classifyPartial(work: PartialWork): void {
    const { chunk } = work;
    const { classify, isLatest, labelPartial, failed } = this.options;
    this.partials.delete(chunk.segmentId);
    if (this.stopped || !isLatest(chunk)) return;
    const text = chunk.text.trim();
    const context = [...this.recentFinals];
    const verdict = classify(text, 'partial', chunk.speaker, context);
    this.partialVerdicts.set(chunk.segmentId, { text, context, verdict });
    verdict
      .then(
        (v) => {
          // A newer revision or the final has superseded this one: its label would be stale.
          if (!this.stopped && isLatest(chunk)) return labelPartial(chunk, v);
        },
        () => undefined, // partials are speculative; a full queue just skips them
      )
      .catch((error: unknown) => failed('partial', error));
  }

  private async classifyFinal(text: string, speaker: SpeakerRole, context: readonly ContextTurn[]): Promise<Verdict> {
    for (const delayMs of FINAL_RETRY_DELAYS_MS) {
      try {
        return await this.options.classify(text, 'final', speaker, context);
      } catch (error) {
        if (!(error instanceof QueueFullError)) throw error;
      }
      await wait(delayMs);
    }
    return this.options.classify(text, 'final', speaker, context);
  }
}

const sameTurns = (a: readonly ContextTurn[], b: readonly ContextTurn[]): boolean =>
  a.length === b.length && a.every((turn, i) => turn.speaker === b[i]!.speaker && turn.text === b[i]!.text);
