import { Type } from '@sinclair/typebox';
import { failure, noChunks, type TranscriptAdapter } from './adapter.js';
import { checkMessage } from './message-check.js';
import { applyRevisions } from './revise.js';
import { STREAM_LABEL_SPEAKERS } from './speakers.js';
import { secondsToMs } from './time.js';

export const DeepgramResults = Type.Object({
  type: Type.Literal('Results'),
  /** [channel, number of channels] */
  channel_index: Type.Array(Type.Integer({ minimum: 0 }), { minItems: 1 }),
  start: Type.Number({ minimum: 0 }),
  duration: Type.Number({ minimum: 0 }),
  is_final: Type.Optional(Type.Boolean()),
  channel: Type.Object({
    alternatives: Type.Array(
      Type.Object({
        transcript: Type.String(),
        words: Type.Optional(Type.Array(Type.Object({ speaker: Type.Optional(Type.Integer({ minimum: 0 })) }))),
      }),
    ),
  }),
});
const DeepgramMessage = Type.Object({ type: Type.String() });

/** Stream events that carry no transcript text; speech_final and UtteranceEnd mark utterance ends we do not need. */
const NON_TRANSCRIPT_TYPES = new Set(['Metadata', 'SpeechStarted', 'UtteranceEnd']);

export const deepgram: TranscriptAdapter = {
  name: 'deepgram',
  // Diarized speaker 0 is whoever spoke first, usually the agent's greeting.
  defaultSpeakers: { ...STREAM_LABEL_SPEAKERS, 'channel-0': 'customer', 'channel-1': 'agent', 'speaker-0': 'agent', 'speaker-1': 'customer' },
  adapt(message, ctx) {
    const typed = checkMessage(DeepgramMessage, message);
    if (!typed.ok) return failure(deepgram.name, typed.problem);
    if (NON_TRANSCRIPT_TYPES.has(typed.value.type)) return noChunks();
    if (typed.value.type !== 'Results') return failure(deepgram.name, `/type: unknown message type "${typed.value.type}"`);
    const checked = checkMessage(DeepgramResults, message);
    if (!checked.ok) return failure(deepgram.name, checked.problem);
    const result = checked.value;
    const [channel, channelCount] = result.channel_index;
    const best = result.channel.alternatives[0];
    const diarizedSpeaker = channelCount === 1 ? best?.words?.[0]?.speaker : undefined;
    const startMs = secondsToMs(result.start);
    return applyRevisions(deepgram, ctx, [
      {
        sourceKey: `channel-${channel}`,
        speakerKey: diarizedSpeaker === undefined ? undefined : `speaker-${diarizedSpeaker}`,
        text: best?.transcript ?? '',
        isFinal: result.is_final ?? false,
        startMs,
        endMs: startMs + secondsToMs(result.duration),
      },
    ]);
  },
};
