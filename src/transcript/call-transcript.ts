import { BoundedMap } from '../bounded.js';
import type { TranscriptChunk } from '../protocol/transcript-chunk.js';

export interface TranscriptOptions {
  /** Earlier customer finals kept as context. */
  contextTurns: number;
  /** Open (not yet final) segments tracked per call; the oldest is dropped beyond this. */
  maxOpenSegments: number;
  /** Closed segment ids remembered to spot late or repeated chunks. */
  maxClosedSegments: number;
  /** A partial is worth classifying only once it has grown by this many characters since the last one classified. */
  partialMinGrowth: number;
}

/** contextTurns and partialMinGrowth are set by CONTEXT_TURNS and PARTIAL_MIN_GROWTH (README, "Configuration"). */
export const transcriptDefaults: TranscriptOptions = {
  contextTurns: 6,
  maxOpenSegments: 64,
  maxClosedSegments: 4096,
  partialMinGrowth: 8,
};

export type Assembly =
  /** A final: always classified. `context` holds the customer's earlier turns, oldest first. */
  | { kind: 'final'; chunk: TranscriptChunk; context: string[] }
  /** A partial that might change the outcome: classify it (speculatively) once it stops changing. */
  | { kind: 'partial'; chunk: TranscriptChunk }
  /** A partial accepted as the segment's latest revision, not worth a classification. */
  | { kind: 'partial-unchanged'; chunk: TranscriptChunk }
  /** A repeat of the seq last applied to its segment (the final's, once the segment is closed). */
  | { kind: 'duplicate' }
  /** Overtaken: a partial below its open segment's newest revision, or any other chunk for a closed segment. */
  | { kind: 'stale' };

interface OpenSegment {
  lastSeq: number;
  /** Text of the last revision handed out for classification. */
  classifiedText: string | undefined;
}

/** Turns one call's stream of chunks into classification work, in the call's own order. */
export class CallTranscript {
  private readonly open: BoundedMap<string, OpenSegment>;
  private readonly closed: BoundedMap<string, number>;
  private readonly customerTurns: string[] = [];

  constructor(private readonly options: TranscriptOptions) {
    this.open = new BoundedMap(options.maxOpenSegments);
    this.closed = new BoundedMap(options.maxClosedSegments);
  }

  accept(chunk: TranscriptChunk): Assembly {
    const closedSeq = this.closed.get(chunk.segmentId);
    if (closedSeq !== undefined) return { kind: chunk.seq === closedSeq ? 'duplicate' : 'stale' };
    const segment = this.open.get(chunk.segmentId);
    if (segment && chunk.seq === segment.lastSeq) return { kind: 'duplicate' };
    // A final always wins: it is the segment's last word even if it overtook a later partial.
    if (chunk.isFinal) return this.close(chunk);
    if (segment && chunk.seq < segment.lastSeq) return { kind: 'stale' };
    return this.revise(chunk, segment);
  }

  /** True while `seq` is still the newest revision of an open segment: a partial result for anything else is stale. */
  isLatest(segmentId: string, seq: number): boolean {
    return this.open.get(segmentId)?.lastSeq === seq;
  }

  private close(chunk: TranscriptChunk): Assembly {
    this.open.delete(chunk.segmentId);
    this.closed.set(chunk.segmentId, chunk.seq);
    const context = [...this.customerTurns];
    if (chunk.speaker === 'customer' && chunk.text.trim() !== '') {
      this.customerTurns.push(chunk.text);
      if (this.customerTurns.length > this.options.contextTurns) this.customerTurns.shift();
    }
    return { kind: 'final', chunk, context };
  }

  private revise(chunk: TranscriptChunk, existing: OpenSegment | undefined): Assembly {
    const segment = existing ?? { lastSeq: chunk.seq, classifiedText: undefined };
    segment.lastSeq = chunk.seq;
    if (!existing) this.open.set(chunk.segmentId, segment);
    const text = chunk.text.trim();
    if (!this.mightChangeOutcome(text, segment.classifiedText)) return { kind: 'partial-unchanged', chunk };
    segment.classifiedText = text;
    return { kind: 'partial', chunk };
  }

  /** Enough new words, or earlier words rewritten (speech-to-text changed its mind), to be worth a classification. */
  private mightChangeOutcome(text: string, before: string | undefined): boolean {
    const growth = this.options.partialMinGrowth;
    if (before === undefined) return text.length >= growth;
    if (text === before) return false;
    const rewritten = !text.startsWith(before.slice(0, Math.floor(before.length / 2)));
    return rewritten || Math.abs(text.length - before.length) >= growth;
  }
}
