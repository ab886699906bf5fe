import type { SpeakerRole, TranscriptChunk } from '../protocol/transcript-chunk.js';

/** One provider result, already normalised: the adapter knows who spoke and which segment it revises. */
export interface Revision {
  /** The provider's identity for the segment; left out, the segment open on the source is revised. */
  segmentKey?: string;
  /** The channel, track or participant the speech came from: segments and timing are tracked per source. */
  sourceKey: string;
  speaker: SpeakerRole;
  text: string;
  isFinal: boolean;
  /** Left out (the provider sends no start), the segment starts where the source's last final ended. */
  startMs?: number;
  endMs: number;
}

const MAX_SEGMENT_ID_LENGTH = 128;

/**
 * What an adapter remembers about one call between messages: the chunk numbering, which segments
 * are open or closed, and per source where the last final ended. One instance per call.
 */
export class CallAdapterState {
  private nextSeq = 0;
  private segmentCount = 0;
  private readonly openSegments = new Map<string, string>();
  private readonly closedSegments = new Set<string>();
  private readonly finalsBySource = new Map<string, number>();
  private readonly lastFinalEndBySource = new Map<string, number>();
  private readonly lastSequenceBySource = new Map<string, number>();

  /**
   * Wall-clock time (epoch ms) the call's audio starts, for providers that only send wall-clock
   * timestamps (Twilio). Left unset, the first such timestamp becomes the origin.
   */
  originMs: number | undefined;

  constructor(options: { originMs?: number } = {}) {
    this.originMs = options.originMs;
  }

  /** For providers without segment ids: a segment stays open on its source until a final closes it. */
  currentSegmentKey(sourceKey: string): string {
    return `${sourceKey}-${this.finalsBySource.get(sourceKey) ?? 0}`;
  }

  /** Where the last final on this source ended: the best start estimate for providers that send no start time. */
  lastFinalEndMs(sourceKey: string): number {
    return this.lastFinalEndBySource.get(sourceKey) ?? 0;
  }

  /** False for a sequence number at or below one already seen on the source (a retry or a late delivery). */
  acceptSequence(sourceKey: string, sequence: number): boolean {
    const last = this.lastSequenceBySource.get(sourceKey);
    if (last !== undefined && sequence <= last) return false;
    this.lastSequenceBySource.set(sourceKey, sequence);
    return true;
  }

  /** Turns a revision into at most one chunk; revisions of closed segments and empty openings give none. */
  revise(revision: Revision, callId: string): TranscriptChunk[] {
    const segmentKey = revision.segmentKey ?? this.currentSegmentKey(revision.sourceKey);
    if (this.closedSegments.has(segmentKey)) return [];
    let segmentId = this.openSegments.get(segmentKey);
    if (segmentId === undefined) {
      if (revision.text.trim() === '') return [];
      segmentId = this.newSegmentId(segmentKey);
      this.openSegments.set(segmentKey, segmentId);
    }
    const startMs = revision.startMs ?? this.lastFinalEndMs(revision.sourceKey);
    const endMs = Math.max(startMs, revision.endMs);
    if (revision.isFinal) this.close(segmentKey, revision.sourceKey, endMs);
    return [{ callId, segmentId, seq: this.nextSeq++, speaker: revision.speaker, isFinal: revision.isFinal, text: revision.text, startMs, endMs }];
  }

  private close(segmentKey: string, sourceKey: string, endMs: number): void {
    this.openSegments.delete(segmentKey);
    this.closedSegments.add(segmentKey);
    this.finalsBySource.set(sourceKey, (this.finalsBySource.get(sourceKey) ?? 0) + 1);
    this.lastFinalEndBySource.set(sourceKey, endMs);
  }

  private newSegmentId(segmentKey: string): string {
    this.segmentCount += 1;
    return segmentKey.length <= MAX_SEGMENT_ID_LENGTH ? segmentKey : `segment-${this.segmentCount}`;
  }
}
