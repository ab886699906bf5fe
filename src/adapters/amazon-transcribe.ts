import { Type } from '@sinclair/typebox';
import { failure, type TranscriptAdapter } from './adapter.js';
import { checkMessage } from './message-check.js';
import { applyRevisions } from './revise.js';
import { sourceKeyOf, STREAM_LABEL_SPEAKERS } from './speakers.js';
import { secondsToMs } from './time.js';

const Result = Type.Object({
  ResultId: Type.String({ minLength: 1 }),
  IsPartial: Type.Boolean(),
  StartTime: Type.Number({ minimum: 0 }),
  EndTime: Type.Number({ minimum: 0 }),
  ChannelId: Type.Optional(Type.String({ minLength: 1 })),
  Alternatives: Type.Array(Type.Object({ Transcript: Type.Optional(Type.String()) })),
});
const TranscriptEventPayload = Type.Object({ Transcript: Type.Object({ Results: Type.Array(Result) }) });
/** The event's JSON payload as it arrives on the wire, or wrapped the way the AWS SDKs yield it. */
export const AmazonTranscribeMessage = Type.Union([TranscriptEventPayload, Type.Object({ TranscriptEvent: TranscriptEventPayload })]);

export const amazonTranscribe: TranscriptAdapter = {
  name: 'amazon-transcribe',
  defaultSpeakers: { ...STREAM_LABEL_SPEAKERS, ch_0: 'customer', ch_1: 'agent' },
  adapt(message, ctx) {
    const checked = checkMessage(AmazonTranscribeMessage, message);
    if (!checked.ok) return failure(amazonTranscribe.name, checked.problem);
    const event = 'TranscriptEvent' in checked.value ? checked.value.TranscriptEvent : checked.value;
    return applyRevisions(
      amazonTranscribe,
      ctx,
      event.Transcript.Results.map((result) => ({
        segmentKey: result.ResultId,
        sourceKey: sourceKeyOf(result.ChannelId, ctx),
        text: result.Alternatives[0]?.Transcript ?? '',
        isFinal: !result.IsPartial,
        startMs: secondsToMs(result.StartTime),
        endMs: secondsToMs(result.EndTime),
      })),
    );
  },
};
