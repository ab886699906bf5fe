import { Type } from '@sinclair/typebox';
import { failure, noChunks, type AdapterContext, type AdapterResult, type TranscriptAdapter } from './adapter.js';
import { checkMessage } from './message-check.js';
import { applyRevisions } from './revise.js';
import { sourceKeyOf, STREAM_LABEL_SPEAKERS } from './speakers.js';

const Word = Type.Object({ start: Type.Integer({ minimum: 0 }), end: Type.Integer({ minimum: 0 }) });
/** Universal-Streaming (v3). */
export const AssemblyAiTurn = Type.Object({
  type: Type.Literal('Turn'),
  turn_order: Type.Integer({ minimum: 0 }),
  end_of_turn: Type.Boolean(),
  transcript: Type.String(),
  words: Type.Array(Word),
});
/** The older real-time API (v2). */
export const AssemblyAiLegacyTranscript = Type.Object({
  message_type: Type.Union([Type.Literal('PartialTranscript'), Type.Literal('FinalTranscript')]),
  audio_start: Type.Integer({ minimum: 0 }),
  audio_end: Type.Integer({ minimum: 0 }),
  text: Type.String(),
});
const Envelope = Type.Object({
  type: Type.Optional(Type.String()),
  message_type: Type.Optional(Type.String()),
  error: Type.Optional(Type.String()),
});

const NON_TRANSCRIPT_TYPES = new Set(['Begin', 'Termination', 'SpeechStarted', 'SessionBegins', 'SessionTerminated', 'SessionInformation']);

function adaptTurn(message: unknown, ctx: AdapterContext): AdapterResult {
  const checked = checkMessage(AssemblyAiTurn, message);
  if (!checked.ok) return failure(assemblyAi.name, checked.problem);
  const turn = checked.value;
  const source = sourceKeyOf(undefined, ctx);
  const lastWordEnd = turn.words.at(-1)?.end;
  return applyRevisions(assemblyAi, ctx, [
    {
      segmentKey: `${source}-turn-${turn.turn_order}`,
      sourceKey: source,
      text: turn.transcript,
      isFinal: turn.end_of_turn,
      startMs: turn.words[0]?.start,
      endMs: lastWordEnd ?? ctx.state.lastFinalEndMs(source),
    },
  ]);
}

function adaptLegacyTranscript(message: unknown, ctx: AdapterContext): AdapterResult {
  const checked = checkMessage(AssemblyAiLegacyTranscript, message);
  if (!checked.ok) return failure(assemblyAi.name, checked.problem);
  const { message_type, audio_start, audio_end, text } = checked.value;
  return applyRevisions(assemblyAi, ctx, [
    { sourceKey: sourceKeyOf(undefined, ctx), text, isFinal: message_type === 'FinalTranscript', startMs: audio_start, endMs: audio_end },
  ]);
}

/** AssemblyAI transcribes one audio source per session: the connection's stream says whose it is. */
export const assemblyAi: TranscriptAdapter = {
  name: 'assemblyai',
  defaultSpeakers: STREAM_LABEL_SPEAKERS,
  adapt(message, ctx) {
    const envelope = checkMessage(Envelope, message);
    if (!envelope.ok) return failure(assemblyAi.name, envelope.problem);
    const { type, message_type, error } = envelope.value;
    if (error !== undefined) return failure(assemblyAi.name, `provider reported an error: ${error}`);
    const kind = type ?? message_type;
    if (kind === 'Turn') return adaptTurn(message, ctx);
    if (kind === 'PartialTranscript' || kind === 'FinalTranscript') return adaptLegacyTranscript(message, ctx);
    if (kind !== undefined && NON_TRANSCRIPT_TYPES.has(kind)) return noChunks();
    return failure(assemblyAi.name, kind === undefined ? 'message has neither type nor message_type' : `unknown message type "${kind}"`);
  },
};
