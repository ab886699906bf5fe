import { BoundedMap, BoundedSet } from '../bounded.js';
import type { SpeakerRole, TranscriptChunk } from '../protocol/transcript-chunk.js';
import { UtteranceAssembly } from './utterance-assembly.js';

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

/**
 * Why a valid provider message gave no chunk. Each is counted in /metrics and reported once on the
 * connection, so nothing is dropped silently.
 */
export type DropReason =
  /** A revision of a segment whose final was already applied (a late partial, a repeated id). */
  | 'closed_segment'
  /** The call already had this chunk (the session said duplicate or stale). */
  | 'duplicate'
  /** A webhook retried or delivered late, at or below a sequence number already seen. */
  | 'retried_webhook';

export interface Revised {
  chunks: TranscriptChunk[];
  dropped?: DropReason;
}

interface OpenSegment {
  id: string;
  sourceKey: string;
  speaker: SpeakerRole;
  startMs: number;
  endMs: number;
}

const MAX_SEGMENT_ID_LENGTH = 128;
/**
 * What one connection's state remembers at most (the oldest is forgotten first), as the call's
 * transcript does: segments open and closed, provider ids, sources (channels, tracks, speakers).
 */
const MAX_OPEN_SEGMENTS = 64;
const MAX_CLOSED_SEGMENTS = 4096;
const MAX_SOURCES = 64;
/** Separates a result's key from the index of a speaker turn split out of it (diarization). */
export const SPLIT_MARK = '#';

/**
 * What an adapter remembers about one connection's share of a call between messages: the chunk
 * numbering, which segments are open or closed, per source where the last final ended, and
 * utterance pieces waiting to be joined. One instance per connection (per call leg).
 */
export class CallAdapterState {
  private nextSeq = 0;
  private segmentCount = 0;
  private readonly openSegments = new BoundedMap<string, OpenSegment>(MAX_OPEN_SEGMENTS);
  private readonly closedSegments = new BoundedSet<string>(MAX_CLOSED_SEGMENTS);
  private readonly finalsBySource = new BoundedMap<string, number>(MAX_SOURCES);
  private readonly lastFinalEndBySource = new BoundedMap<string, number>(MAX_SOURCES);
  private readonly lastSequenceBySource = new BoundedMap<string, number>(MAX_SOURCES);
  /** Prefix of every segment id, so two legs of one call never share one. */
  private readonly leg: string | undefined;
  /** Final pieces of one utterance, joined before classification (Deepgram is_final, Contact Lens). */
  readonly assembly = new UtteranceAssembly();
  /** For providers that send partials as fragments (Contact Lens): the running text per provider id. */
  readonly fragmentText = new BoundedMap<string, string>(MAX_OPEN_SEGMENTS);
  /** Provider ids of finals already taken (Contact Lens transcript ids), to spot repeats and late partials. */
  readonly finishedIds = new BoundedSet<string>(MAX_CLOSED_SEGMENTS);

  /**
   * Wall-clock time (epoch ms) the call's audio starts, for providers that only send wall-clock
   * timestamps (Twilio). Left unset, the first such timestamp becomes the origin.
   */
  originMs: number | undefined;

  constructor(options: { originMs?: number; leg?: string } = {}) {
    this.originMs = options.originMs;
    this.leg = options.leg;
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

  lastSequence(sourceKey: string): number | undefined {
    return this.lastSequenceBySource.get(sourceKey);
  }

  isClosed(segmentKey: string): boolean {
    return this.closedSegments.has(segmentKey);
  }

  /** Turns a revision into at most one chunk; a revision of a closed segment is a drop, an empty opening is nothing. */
  revise(revision: Revision, callId: string): Revised {
    const segmentKey = revision.segmentKey ?? this.currentSegmentKey(revision.sourceKey);
    if (this.closedSegments.has(segmentKey)) return { chunks: [], dropped: 'closed_segment' };
    let segment = this.openSegments.get(segmentKey);
    if (segment === undefined) {
      if (revision.text.trim() === '') return { chunks: [] };
      segment = {
        id: this.newSegmentId(segmentKey),
        sourceKey: revision.sourceKey,
        speaker: revision.speaker,
        startMs: 0,
        endMs: 0,
      };
      this.openSegments.set(segmentKey, segment);
    }
    const startMs = revision.startMs ?? this.lastFinalEndMs(revision.sourceKey);
    const endMs = Math.max(startMs, revision.endMs);
    Object.assign(segment, { speaker: revision.speaker, startMs, endMs });
    if (revision.isFinal) this.close(segmentKey, revision.sourceKey, endMs);
    return {
      chunks: [this.chunk(callId, segment.id, revision.speaker, revision.isFinal, revision.text, startMs, endMs)],
    };
  }

  /**
   * A final split by speaker closes `base` and its split parts; parts a partial opened that the
   * final does not have are closed empty, so no segment is left open for ever.
   */
  closeLeftovers(base: string, keep: ReadonlySet<string>, callId: string): TranscriptChunk[] {
    const chunks: TranscriptChunk[] = [];
    for (const [key, segment] of [...this.openSegments]) {
      if (keep.has(key) || (key !== base && !key.startsWith(`${base}${SPLIT_MARK}`))) continue;
      this.close(key, segment.sourceKey, segment.endMs);
      chunks.push(this.chunk(callId, segment.id, segment.speaker, true, '', segment.startMs, segment.endMs));
    }
    return chunks;
  }

  private chunk(
    callId: string,
    segmentId: string,
    speaker: SpeakerRole,
    isFinal: boolean,
    text: string,
    startMs: number,
    endMs: number,
  ): TranscriptChunk {
    return { callId, segmentId, seq: this.nextSeq++, speaker, isFinal, text, startMs, endMs };
  }

  private close(segmentKey: string, sourceKey: string, endMs: number): void {
    this.openSegments.delete(segmentKey);
    this.closedSegments.add(segmentKey);
    this.finalsBySource.set(sourceKey, (this.finalsBySource.get(sourceKey) ?? 0) + 1);
    this.lastFinalEndBySource.set(sourceKey, Math.max(endMs, this.lastFinalEndMs(sourceKey)));
  }

  private newSegmentId(segmentKey: string): string {
    this.segmentCount += 1;
    const id = this.leg === undefined ? segmentKey : `${this.leg}/${segmentKey}`;
    return id.length <= MAX_SEGMENT_ID_LENGTH ? id : `${(this.leg ?? '').slice(0, 64)}/segment-${this.segmentCount}`;
  }
}
