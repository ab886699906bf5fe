import { Type, type Static } from '@sinclair/typebox';
import { refusal } from '../protocol/errors.js';
import { OptionalOrNull } from '../protocol/optional-or-null.js';
import { validator, type Parsed } from '../protocol/validator.js';
import { failure, noChunks, type AdapterContext, type TranscriptAdapter } from './adapter.js';
import { applyRevisions, type UnattributedRevision } from './revise.js';
import { diarizedKey, sourceKeyOf, twoPartySpeakers } from './speakers.js';
import { durationToMs } from './time.js';
import type { TimedWord } from './utterance-assembly.js';

/**
 * A protobuf Duration in any of its JSON forms, or null where the Node client leaves it unset;
 * checked by optionalDuration.
 */
const Duration = Type.Unknown();
const Word = Type.Object({
  word: Type.Optional(Type.String()),
  startTime: Type.Optional(Duration),
  endTime: Type.Optional(Duration),
  startOffset: Type.Optional(Duration),
  endOffset: Type.Optional(Duration),
  speakerTag: Type.Optional(Type.Integer({ minimum: 0 })),
  speakerLabel: Type.Optional(Type.String()),
});
const Result = Type.Object({
  alternatives: Type.Array(
    Type.Object({ transcript: Type.Optional(Type.String()), words: Type.Optional(Type.Array(Word)) }),
  ),
  isFinal: Type.Optional(Type.Boolean()),
  /** v1 name; v2 calls it resultEndOffset. Google leaves it out of some responses. */
  resultEndTime: Type.Optional(Duration),
  resultEndOffset: Type.Optional(Duration),
  channelTag: Type.Optional(Type.Integer({ minimum: 0 })),
});
type Result = Static<typeof Result>;
/**
 * A StreamingRecognizeResponse in its JSON form (v1 or v2), or as the Node client hands it over:
 * it decodes with `defaults: true`, so every unset message field arrives as null.
 */
const GoogleSttMessage = Type.Object({
  results: Type.Optional(Type.Array(Result)),
  error: OptionalOrNull(Type.Object({ message: Type.Optional(Type.String()) })),
});
const checkGoogleSttMessage = validator(GoogleSttMessage);

const sourceOf = (result: Result, ctx: AdapterContext): string =>
  sourceKeyOf(result.channelTag ? `channel-${result.channelTag}` : undefined, ctx);

function optionalDuration(value: unknown, field: string): Parsed<number | undefined> {
  if (value === undefined || value === null) return { ok: true, value: undefined };
  const ms = durationToMs(value);
  return ms === undefined
    ? refusal('invalid_message', `${field}: expected a duration like "3.5s" or {"seconds":3,"nanos":500000000}`)
    : { ok: true, value: ms };
}

function wordsOf(result: Result, index: number): Parsed<TimedWord[]> {
  const words: TimedWord[] = [];
  for (const [w, word] of (result.alternatives[0]?.words ?? []).entries()) {
    const where = `results[${index}].alternatives[0].words[${w}]`;
    const start = optionalDuration(word.startTime ?? word.startOffset, `${where}.startTime`);
    if (!start.ok) return start;
    const end = optionalDuration(word.endTime ?? word.endOffset, `${where}.endTime`);
    if (!end.ok) return end;
    if (start.value === undefined) continue;
    const label = word.speakerLabel || (word.speakerTag ? String(word.speakerTag) : undefined);
    words.push({
      text: word.word ?? '',
      startMs: start.value,
      endMs: end.value ?? start.value,
      ...(label !== undefined ? { speakerKey: diarizedKey(label) } : {}),
    });
  }
  return { ok: true, value: words };
}

/**
 * Google Speech-to-Text streaming. Per channel, a final result closes the open segment; the interim
 * results after it are joined into the next segment's partial text. With diarization, a final's word
 * list runs from the start of the call: only the words after the channel's last final are new.
 */
export const googleStt: TranscriptAdapter = {
  name: 'google-stt',
  // Channel and speaker tags are numbered from 1.
  defaultSpeakers: twoPartySpeakers(1),
  adapt(message, ctx) {
    const checked = checkGoogleSttMessage(message);
    if (!checked.ok) return failure(googleStt.name, checked.message);
    const { results, error } = checked.value;
    if (error) return failure(googleStt.name, `provider reported an error: ${error.message ?? 'no message'}`);
    // Responses without results are speech events (e.g. END_OF_SINGLE_UTTERANCE).
    if (!results?.length) return noChunks();
    const revisions: UnattributedRevision[] = [];
    const interimBySource = new Map<string, { texts: string[]; endMs: number }>();
    for (const [index, result] of results.entries()) {
      const sourceKey = sourceOf(result, ctx);
      const end = optionalDuration(result.resultEndTime ?? result.resultEndOffset, `results[${index}].resultEndTime`);
      if (!end.ok) return failure(googleStt.name, end.message);
      const words = wordsOf(result, index);
      if (!words.ok) return failure(googleStt.name, words.message);
      const lastFinalEnd = ctx.state.lastFinalEndMs(sourceKey);
      const fresh = words.value.filter((w) => w.endMs > lastFinalEnd || w.startMs >= lastFinalEnd);
      // Without resultEndTime, the last word heard, else where the channel's last final ended.
      const endMs = end.value ?? fresh.at(-1)?.endMs ?? lastFinalEnd;
      const text = (result.alternatives[0]?.transcript ?? '').trim();
      if (result.isFinal) {
        revisions.push({
          sourceKey,
          text,
          isFinal: true,
          startMs: fresh[0]?.startMs ?? lastFinalEnd,
          endMs: Math.max(endMs, fresh.at(-1)?.endMs ?? 0),
          words: fresh,
        });
        continue;
      }
      const interim = interimBySource.get(sourceKey) ?? { texts: [], endMs };
      interim.texts.push(text);
      interim.endMs = Math.max(interim.endMs, endMs);
      interimBySource.set(sourceKey, interim);
    }
    for (const [sourceKey, interim] of interimBySource) {
      revisions.push({
        sourceKey,
        text: interim.texts.filter(Boolean).join(' '),
        isFinal: false,
        endMs: interim.endMs,
      });
    }
    return applyRevisions(googleStt, ctx, revisions);
  },
};
