import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../protocol/validator.js';
import { failure, noChunks, type AdapterContext, type AdapterResult, type TranscriptAdapter } from './adapter.js';
import { applyRevisions } from './revise.js';
import { diarizedKey, sourceKeyOf, STREAM_LABEL_SPEAKERS } from './speakers.js';
import { secondsToMs } from './time.js';
import type { TimedWord } from './utterance-assembly.js';

const Seconds = Type.Number({ minimum: 0 });
const Millis = Type.Integer({ minimum: 0 });
const Item = Type.Object({
  Content: Type.Optional(Type.String()),
  Type: Type.Optional(Type.String()),
  StartTime: Type.Optional(Seconds),
  EndTime: Type.Optional(Seconds),
  Speaker: Type.Optional(Type.String({ minLength: 1 })),
});
const Result = Type.Object({
  ResultId: Type.String({ minLength: 1 }),
  IsPartial: Type.Boolean(),
  StartTime: Seconds,
  EndTime: Seconds,
  ChannelId: Type.Optional(Type.String({ minLength: 1 })),
  Alternatives: Type.Array(
    Type.Object({ Transcript: Type.Optional(Type.String()), Items: Type.Optional(Type.Array(Item)) }),
  ),
});
type Result = Static<typeof Result>;
/** A TranscriptEvent's JSON payload. The SDK's own minimal event is `{"Transcript":{}}`: no results yet. */
const TranscriptEventPayload = Type.Object({ Transcript: Type.Object({ Results: Type.Optional(Type.Array(Result)) }) });
const checkTranscriptEvent = validator(TranscriptEventPayload);
/** A Call Analytics UtteranceEvent's JSON payload. */
const UtteranceEventPayload = Type.Object({
  UtteranceId: Type.String({ minLength: 1 }),
  IsPartial: Type.Boolean(),
  ParticipantRole: Type.String({ minLength: 1 }),
  BeginOffsetMillis: Millis,
  EndOffsetMillis: Millis,
  Transcript: Type.Optional(Type.String()),
  Items: Type.Optional(
    Type.Array(
      Type.Object({
        Content: Type.Optional(Type.String()),
        Type: Type.Optional(Type.String()),
        BeginOffsetMillis: Type.Optional(Millis),
        EndOffsetMillis: Type.Optional(Millis),
      }),
    ),
  ),
});
const checkUtteranceEvent = validator(UtteranceEventPayload);

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Word timings with speaker labels; punctuation belongs to the word before it. */
function wordsOf(result: Result): TimedWord[] {
  const words: TimedWord[] = [];
  for (const item of result.Alternatives[0]?.Items ?? []) {
    const content = item.Content ?? '';
    if (item.Type === 'punctuation') {
      const last = words.at(-1);
      if (last) last.text += content;
      continue;
    }
    if (item.Type !== 'pronunciation' || item.StartTime === undefined || item.EndTime === undefined) continue;
    words.push({
      text: content,
      startMs: secondsToMs(item.StartTime),
      endMs: secondsToMs(item.EndTime),
      ...(item.Speaker !== undefined ? { speakerKey: diarizedKey(item.Speaker) } : {}),
    });
  }
  return words;
}

function adaptTranscriptEvent(payload: unknown, where: string, ctx: AdapterContext): AdapterResult {
  const checked = checkTranscriptEvent(payload);
  if (!checked.ok) return failure(amazonTranscribe.name, `${where}${checked.message}`);
  return applyRevisions(
    amazonTranscribe,
    ctx,
    (checked.value.Transcript.Results ?? []).map((result) => ({
      segmentKey: result.ResultId,
      sourceKey: sourceKeyOf(result.ChannelId, ctx),
      text: result.Alternatives[0]?.Transcript ?? '',
      isFinal: !result.IsPartial,
      startMs: secondsToMs(result.StartTime),
      endMs: secondsToMs(result.EndTime),
      words: wordsOf(result),
    })),
  );
}

function adaptUtteranceEvent(payload: unknown, where: string, ctx: AdapterContext): AdapterResult {
  const checked = checkUtteranceEvent(payload);
  if (!checked.ok) return failure(amazonTranscribe.name, `${where}${checked.message}`);
  const u = checked.value;
  return applyRevisions(amazonTranscribe, ctx, [
    {
      segmentKey: u.UtteranceId,
      sourceKey: u.ParticipantRole,
      text: u.Transcript ?? '',
      isFinal: !u.IsPartial,
      startMs: u.BeginOffsetMillis,
      endMs: u.EndOffsetMillis,
    },
  ]);
}

/** The SDKs yield one member of the result stream per event; relays may keep the stream's name around it. */
const STREAM_WRAPPERS = ['TranscriptResultStream', 'CallAnalyticsTranscriptResultStream'];

function adaptEvent(message: Json, where: string, ctx: AdapterContext): AdapterResult {
  for (const wrapper of STREAM_WRAPPERS) {
    const inner = message[wrapper];
    if (isObject(inner)) return adaptEvent(inner, `${where}${wrapper}.`, ctx);
  }
  if (isObject(message.TranscriptEvent))
    return adaptTranscriptEvent(message.TranscriptEvent, `${where}TranscriptEvent.`, ctx);
  if (isObject(message.UtteranceEvent))
    return adaptUtteranceEvent(message.UtteranceEvent, `${where}UtteranceEvent.`, ctx);
  if (isObject(message.CategoryEvent) || 'MatchedCategories' in message) return noChunks(); // Call Analytics categories: not speech
  const exception = Object.keys(message).find((key) => key.endsWith('Exception'));
  if (exception)
    return failure(amazonTranscribe.name, `provider reported ${exception}: ${messageOf(message[exception])}`);
  if ('Transcript' in message && !('UtteranceId' in message)) return adaptTranscriptEvent(message, where, ctx);
  if ('UtteranceId' in message) return adaptUtteranceEvent(message, where, ctx);
  // An exception event's payload on the wire is only {"Message": ...}; its name travels in a header.
  if (typeof message.Message === 'string')
    return failure(amazonTranscribe.name, `provider reported an exception: ${message.Message}`);
  return failure(
    amazonTranscribe.name,
    `${where || 'message'}: expected a TranscriptEvent, UtteranceEvent, CategoryEvent or exception event`,
  );
}

const messageOf = (exception: unknown): string =>
  isObject(exception) && typeof exception.Message === 'string' ? exception.Message : 'no message';

/**
 * Amazon Transcribe streaming: TranscriptEvents (standard streaming) and Call Analytics
 * UtteranceEvents, as the JSON payload on the wire or as the AWS SDKs yield them.
 */
export const amazonTranscribe: TranscriptAdapter = {
  name: 'amazon-transcribe',
  defaultSpeakers: {
    ...STREAM_LABEL_SPEAKERS,
    ch_0: 'customer',
    ch_1: 'agent',
    CUSTOMER: 'customer',
    AGENT: 'agent',
    // Speaker labels are numbered in order of appearance: 0 spoke first (FIRST_SPEAKER_IS_AGENT).
    [diarizedKey(0)]: 'agent',
    [diarizedKey(1)]: 'customer',
  },
  adapt(message, ctx) {
    if (!isObject(message)) return failure(amazonTranscribe.name, 'message: expected an object');
    return adaptEvent(message, '', ctx);
  },
};
