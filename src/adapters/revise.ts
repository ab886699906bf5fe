import type { SpeakerRole, TranscriptChunk } from '../protocol/transcript-chunk.js';
import { failure, type AdapterContext, type AdapterResult, type TranscriptAdapter } from './adapter.js';
import { SPLIT_MARK, type DropReason, type Revision } from './call-state.js';
import { lookUpSpeaker } from './speakers.js';
import type { TimedWord } from './utterance-assembly.js';

export type UnattributedRevision = Omit<Revision, 'speaker'> & {
  /** The key looked up in the speaker map when it is not the source (e.g. a diarized speaker on a channel). */
  speakerKey?: string;
  /** Word timings; when they carry diarized speaker labels, the result is split at every change of speaker. */
  words?: readonly TimedWord[];
};

/**
 * Speaker turns one result may hold: each becomes a final to classify, so without a bound one
 * message of words alternating speakers would cost the classifier a thousand finals.
 */
const MAX_SPEAKER_TURNS = 32;

/** One speaker's stretch of a result: consecutive words with the same label. */
interface Turn {
  speakerKey: string;
  words: TimedWord[];
}

function speakerTurns(words: readonly TimedWord[] | undefined): Turn[] {
  const turns: Turn[] = [];
  for (const word of words ?? []) {
    if (word.speakerKey === undefined) continue;
    const last = turns.at(-1);
    if (last?.speakerKey === word.speakerKey) last.words.push(word);
    else turns.push({ speakerKey: word.speakerKey, words: [word] });
  }
  return turns;
}

/** What one provider result becomes: itself, or one part per speaker turn. */
interface Part {
  speakerKey: string;
  /** Index of the turn; 0 or undefined (not split) keeps the result's own segment. */
  index?: number;
  text: string;
  startMs?: number;
  endMs: number;
}

function partsOf(revision: UnattributedRevision): Part[] {
  const turns = speakerTurns(revision.words);
  if (turns.length <= 1) {
    return [
      {
        speakerKey: turns[0]?.speakerKey ?? revision.speakerKey ?? revision.sourceKey,
        text: revision.text,
        startMs: revision.startMs,
        endMs: revision.endMs,
      },
    ];
  }
  return turns.map((turn, index) => ({
    speakerKey: turn.speakerKey,
    index,
    text: turn.words.map((w) => w.text).join(' '),
    startMs: turn.words[0]!.startMs,
    endMs: turn.words.at(-1)!.endMs,
  }));
}

/**
 * Attributes each revision to a speaker through the call's mapping and applies them in order; a
 * revision whose words change speaker becomes one segment per speaker turn, each with its own
 * times. All speakers are looked up first, so a message with an unmapped source changes no state.
 */
export function applyRevisions(
  adapter: TranscriptAdapter,
  ctx: AdapterContext,
  revisions: UnattributedRevision[],
): AdapterResult {
  const planned: Array<{ revision: UnattributedRevision; parts: Array<Part & { speaker: SpeakerRole | 'ignore' }> }> =
    [];
  for (const revision of revisions) {
    const turns = partsOf(revision);
    if (turns.length > MAX_SPEAKER_TURNS)
      return failure(
        adapter.name,
        `words: one result changes speaker ${turns.length - 1} times; at most ${MAX_SPEAKER_TURNS - 1} are accepted`,
      );
    const parts = [];
    for (const part of turns) {
      const lookup = lookUpSpeaker(adapter, ctx, part.speakerKey);
      if (!lookup.ok) return failure(adapter.name, lookup.message);
      parts.push({ ...part, speaker: lookup.assignment });
    }
    planned.push({ revision, parts });
  }
  const chunks: TranscriptChunk[] = [];
  const dropped: DropReason[] = [];
  for (const { revision, parts } of planned) {
    // Computed when applied: a final earlier in the same message moves the source to its next segment.
    const base = revision.segmentKey ?? ctx.state.currentSegmentKey(revision.sourceKey);
    const kept = new Set<string>();
    for (const part of parts) {
      // The first turn continues the segment a partial of the result opened; later turns are new segments.
      const segmentKey = part.index ? `${base}${SPLIT_MARK}${part.index}` : base;
      kept.add(segmentKey);
      if (part.speaker === 'ignore') continue;
      const { speaker, text, startMs, endMs } = part;
      const outcome = ctx.state.revise(
        {
          segmentKey,
          sourceKey: revision.sourceKey,
          speaker,
          text,
          isFinal: revision.isFinal,
          endMs,
          ...(startMs !== undefined ? { startMs } : {}),
        },
        ctx.callId,
      );
      chunks.push(...outcome.chunks);
      if (outcome.dropped) dropped.push(outcome.dropped);
    }
    if (revision.isFinal) chunks.push(...ctx.state.closeLeftovers(base, kept, ctx.callId));
  }
  return dropped.length ? { ok: true, chunks, dropped } : { ok: true, chunks };
}
