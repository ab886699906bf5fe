import { chunksOf, failure, type AdapterContext, type AdapterResult, type TranscriptAdapter } from './adapter.js';
import type { Revision } from './call-state.js';
import type { SpeakerRole } from '../protocol/transcript-chunk.js';
import { lookUpSpeaker } from './speakers.js';

export type UnattributedRevision = Omit<Revision, 'speaker'> & {
  /** The key looked up in the speaker map when it is not the source (e.g. a diarized speaker on a channel). */
  speakerKey?: string;
};

/**
 * Attributes each revision to a speaker through the call's mapping and applies them in order.
 * All sources are looked up first, so a message with an unmapped source changes no state.
 */
export function applyRevisions(adapter: TranscriptAdapter, ctx: AdapterContext, revisions: UnattributedRevision[]): AdapterResult {
  const attributed: Revision[] = [];
  for (const { speakerKey, ...revision } of revisions) {
    const lookup = lookUpSpeaker(adapter, ctx, speakerKey ?? revision.sourceKey);
    if (!lookup.ok) return failure(adapter.name, lookup.problem);
    if (lookup.assignment !== 'ignore') attributed.push({ ...revision, speaker: lookup.assignment satisfies SpeakerRole });
  }
  return chunksOf(attributed.flatMap((revision) => ctx.state.revise(revision, ctx.callId)));
}
