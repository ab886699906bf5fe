import { Type, type Static } from '@sinclair/typebox';
import { failure, noChunks, type AdapterContext, type TranscriptAdapter } from './adapter.js';
import { checkMessage } from './message-check.js';
import { applyRevisions, type UnattributedRevision } from './revise.js';
import { sourceKeyOf, STREAM_LABEL_SPEAKERS } from './speakers.js';
import { durationToMs } from './time.js';

const Result = Type.Object({
  alternatives: Type.Array(
    Type.Object({
      transcript: Type.Optional(Type.String()),
      words: Type.Optional(Type.Array(Type.Object({ startTime: Type.Optional(Type.String()), startOffset: Type.Optional(Type.String()) }))),
    }),
  ),
  isFinal: Type.Optional(Type.Boolean()),
  /** v1 name; v2 calls it resultEndOffset. */
  resultEndTime: Type.Optional(Type.String()),
  resultEndOffset: Type.Optional(Type.String()),
  channelTag: Type.Optional(Type.Integer({ minimum: 0 })),
});
type Result = Static<typeof Result>;
/** A StreamingRecognizeResponse in its JSON form (v1 or v2). */
export const GoogleSttMessage = Type.Object({
  results: Type.Optional(Type.Array(Result)),
  error: Type.Optional(Type.Object({ message: Type.Optional(Type.String()) })),
});

const sourceOf = (result: Result, ctx: AdapterContext): string =>
  sourceKeyOf(result.channelTag ? `channel-${result.channelTag}` : undefined, ctx);

const firstWordStart = (result: Result): string | undefined => {
  const word = result.alternatives[0]?.words?.[0];
  return word?.startTime ?? word?.startOffset;
};

export const googleStt: TranscriptAdapter = {
  name: 'google-stt',
  defaultSpeakers: { ...STREAM_LABEL_SPEAKERS, 'channel-1': 'customer', 'channel-2': 'agent' },
  adapt(message, ctx) {
    const checked = checkMessage(GoogleSttMessage, message);
    if (!checked.ok) return failure(googleStt.name, checked.problem);
    const { results, error } = checked.value;
    if (error) return failure(googleStt.name, `provider reported an error: ${error.message ?? 'no message'}`);
    // Responses without results are speech events (e.g. END_OF_SINGLE_UTTERANCE).
    if (!results?.length) return noChunks();
    const revisions: UnattributedRevision[] = [];
    // A response holds at most one final per channel, then interim pieces of the audio that follows it;
    // the pieces together are the current hypothesis of the next segment.
    const interimBySource = new Map<string, { texts: string[]; endMs: number }>();
    for (const [index, result] of results.entries()) {
      const end = result.resultEndTime ?? result.resultEndOffset;
      const endMs = end === undefined ? undefined : durationToMs(end);
      if (endMs === undefined) return failure(googleStt.name, `/results/${index}/resultEndTime: missing or not a duration like "3.5s"`);
      const text = (result.alternatives[0]?.transcript ?? '').trim();
      const sourceKey = sourceOf(result, ctx);
      if (result.isFinal) {
        const start = firstWordStart(result);
        revisions.push({ sourceKey, text, isFinal: true, startMs: start === undefined ? undefined : durationToMs(start), endMs });
        continue;
      }
      const interim = interimBySource.get(sourceKey) ?? { texts: [], endMs };
      interim.texts.push(text);
      interim.endMs = Math.max(interim.endMs, endMs);
      interimBySource.set(sourceKey, interim);
    }
    for (const [sourceKey, interim] of interimBySource) {
      revisions.push({ sourceKey, text: interim.texts.filter(Boolean).join(' '), isFinal: false, endMs: interim.endMs });
    }
    return applyRevisions(googleStt, ctx, revisions);
  },
};
