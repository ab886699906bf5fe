import { Type } from '@sinclair/typebox';
import { OptionalOrNull } from '../protocol/optional-or-null.js';
import { validator } from '../protocol/validator.js';
import { failure, noChunks, type AdapterContext, type AdapterResult, type TranscriptAdapter } from './adapter.js';
import { applyRevisions } from './revise.js';
import { diarizedKey, sourceKeyOf, STREAM_LABEL_SPEAKERS } from './speakers.js';
import type { TimedWord } from './utterance-assembly.js';

const Word = Type.Object({
  start: Type.Integer({ minimum: 0 }),
  end: Type.Integer({ minimum: 0 }),
  text: Type.Optional(Type.String()),
  word_is_final: Type.Optional(Type.Boolean()),
  /** Null where AssemblyAI could not attribute the word, as for the turn's label. */
  speaker: OptionalOrNull(Type.String({ minLength: 1 })),
});
/** Universal-Streaming (v3). */
const AssemblyAiTurn = Type.Object({
  type: Type.Literal('Turn'),
  turn_order: Type.Integer({ minimum: 0 }),
  end_of_turn: Type.Boolean(),
  turn_is_formatted: Type.Optional(Type.Boolean()),
  transcript: Type.String(),
  words: Type.Array(Word),
  /** Null when the model cannot confidently assign a speaker (a short utterance at the start of a session). */
  speaker_label: OptionalOrNull(Type.String({ minLength: 1 })),
});
const checkTurn = validator(AssemblyAiTurn);
/** The older real-time API (v2). */
const AssemblyAiLegacyTranscript = Type.Object({
  message_type: Type.Union([Type.Literal('PartialTranscript'), Type.Literal('FinalTranscript')]),
  audio_start: Type.Integer({ minimum: 0 }),
  audio_end: Type.Integer({ minimum: 0 }),
  text: Type.String(),
});
const checkLegacyTranscript = validator(AssemblyAiLegacyTranscript);
const Envelope = Type.Object({
  type: Type.Optional(Type.String()),
  message_type: Type.Optional(Type.String()),
  error: Type.Optional(Type.String()),
});
const checkEnvelope = validator(Envelope);

/**
 * Messages that carry no transcript to classify, ignored on purpose: session start and end,
 * heartbeats, warnings (e.g. the session ending soon), speech-started events, LLM Gateway replies,
 * and SpeakerRevision (a late re-labelling of turns already classified; the cues stand).
 */
const IGNORED_TYPES = new Set([
  'Begin',
  'Termination',
  'SpeechStarted',
  'Heartbeat',
  'Warning',
  'SpeakerRevision',
  'LLMGatewayResponse',
  'SessionBegins',
  'SessionTerminated',
  'SessionInformation',
]);

function adaptTurn(message: unknown, ctx: AdapterContext): AdapterResult {
  const checked = checkTurn(message);
  if (!checked.ok) return failure(assemblyAi.name, checked.message);
  const turn = checked.value;
  const sourceKey = sourceKeyOf(undefined, ctx);
  const segmentKey = `${sourceKey}-turn-${turn.turn_order}`;
  // The formatted re-send of a turn that already ended repeats it: the first final stands.
  if (turn.turn_is_formatted && ctx.state.isClosed(segmentKey)) return noChunks();
  // `transcript` holds finalised words only; words still being heard must not stretch its times.
  const heard = turn.words.filter((w) => w.word_is_final !== false);
  const words: TimedWord[] = heard.map((w) => ({
    text: w.text ?? '',
    startMs: w.start,
    endMs: w.end,
    ...(w.speaker ? { speakerKey: diarizedKey(w.speaker) } : {}),
  }));
  return applyRevisions(assemblyAi, ctx, [
    {
      segmentKey,
      sourceKey,
      // Without a label the turn is the connection's stream, as on a session without diarization.
      ...(turn.speaker_label ? { speakerKey: diarizedKey(turn.speaker_label) } : {}),
      text: turn.transcript,
      isFinal: turn.end_of_turn,
      startMs: heard[0]?.start ?? ctx.state.lastFinalEndMs(sourceKey),
      endMs: heard.at(-1)?.end ?? ctx.state.lastFinalEndMs(sourceKey),
      words,
    },
  ]);
}

function adaptLegacyTranscript(message: unknown, ctx: AdapterContext): AdapterResult {
  const checked = checkLegacyTranscript(message);
  if (!checked.ok) return failure(assemblyAi.name, checked.message);
  const { message_type, audio_start, audio_end, text } = checked.value;
  return applyRevisions(assemblyAi, ctx, [
    {
      sourceKey: sourceKeyOf(undefined, ctx),
      text,
      isFinal: message_type === 'FinalTranscript',
      startMs: audio_start,
      endMs: audio_end,
    },
  ]);
}

/**
 * AssemblyAI transcribes one audio source per session: the connection's stream says whose it is
 * (one connection per call leg), or, with speaker labels on mixed audio, each word's speaker.
 */
export const assemblyAi: TranscriptAdapter = {
  name: 'assemblyai',
  // Speakers are labelled A, B, ... in order of appearance: A spoke first (FIRST_SPEAKER_IS_AGENT).
  defaultSpeakers: { ...STREAM_LABEL_SPEAKERS, [diarizedKey('A')]: 'agent', [diarizedKey('B')]: 'customer' },
  adapt(message, ctx) {
    const envelope = checkEnvelope(message);
    if (!envelope.ok) return failure(assemblyAi.name, envelope.message);
    const { type, message_type, error } = envelope.value;
    if (error !== undefined) return failure(assemblyAi.name, `provider reported an error: ${error}`);
    const kind = type ?? message_type;
    if (kind === 'Turn') return adaptTurn(message, ctx);
    if (kind === 'PartialTranscript' || kind === 'FinalTranscript') return adaptLegacyTranscript(message, ctx);
    if (kind !== undefined && IGNORED_TYPES.has(kind)) return noChunks();
    return failure(
      assemblyAi.name,
      kind === undefined ? 'type: message has neither type nor message_type' : `type: unknown message type "${kind}"`,
    );
  },
};
