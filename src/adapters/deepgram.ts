import { Type, type Static } from '@sinclair/typebox';
import { validator } from '../protocol/validator.js';
import {
  combine,
  failure,
  noChunks,
  type AdapterContext,
  type AdapterResult,
  type TranscriptAdapter,
} from './adapter.js';
import { applyRevisions } from './revise.js';
import { diarizedKey, sourceKeyOf, twoPartySpeakers } from './speakers.js';
import { secondsToMs } from './time.js';
import { joinPieces, type Piece, type TimedWord } from './utterance-assembly.js';

const Seconds = Type.Number({ minimum: 0 });
const Word = Type.Object({
  word: Type.Optional(Type.String()),
  punctuated_word: Type.Optional(Type.String()),
  start: Type.Optional(Seconds),
  end: Type.Optional(Seconds),
  speaker: Type.Optional(Type.Integer({ minimum: 0 })),
});
/** [channel, number of channels] */
const ChannelIndex = Type.Array(Type.Integer({ minimum: 0 }), { minItems: 1 });

const DeepgramResults = Type.Object({
  type: Type.Literal('Results'),
  channel_index: ChannelIndex,
  start: Seconds,
  duration: Seconds,
  is_final: Type.Optional(Type.Boolean()),
  speech_final: Type.Optional(Type.Boolean()),
  from_finalize: Type.Optional(Type.Boolean()),
  channel: Type.Object({
    alternatives: Type.Array(Type.Object({ transcript: Type.String(), words: Type.Optional(Type.Array(Word)) })),
  }),
});
type DeepgramResults = Static<typeof DeepgramResults>;
const checkResults = validator(DeepgramResults);
const UtteranceEnd = Type.Object({ type: Type.Literal('UtteranceEnd'), channel: ChannelIndex });
const checkUtteranceEnd = validator(UtteranceEnd);
const DeepgramMessage = Type.Object({ type: Type.String() });
const checkDeepgramMessage = validator(DeepgramMessage);

/** Stream events that carry no transcript text. */
const NON_TRANSCRIPT_TYPES = new Set(['Metadata', 'SpeechStarted', 'CloseStream', 'Finalize']);
/** With endpointing off, is_final pieces may run on: an utterance is cut here at the latest. */
export const MAX_UTTERANCE_MS = 20_000;

const isMultichannel = ([, channelCount]: readonly number[]): boolean => channelCount !== undefined && channelCount > 1;

/** Multichannel audio names its channel; mono audio is the connection's stream (one leg of the call). */
const sourceOf = (channelIndex: readonly number[], ctx: AdapterContext): string =>
  isMultichannel(channelIndex) ? `channel-${channelIndex[0]}` : sourceKeyOf(undefined, ctx);

function pieceOf(result: DeepgramResults): Piece {
  const best = result.channel.alternatives[0];
  const startMs = secondsToMs(result.start);
  const endMs = startMs + secondsToMs(result.duration);
  // Deepgram numbers diarized speakers across all channels: on multichannel audio only the channel says who speaks.
  const diarized = !isMultichannel(result.channel_index);
  const words: TimedWord[] = (best?.words ?? []).map((w) => ({
    text: w.punctuated_word ?? w.word ?? '',
    startMs: w.start === undefined ? startMs : secondsToMs(w.start),
    endMs: w.end === undefined ? endMs : secondsToMs(w.end),
    ...(diarized && w.speaker !== undefined ? { speakerKey: diarizedKey(w.speaker) } : {}),
  }));
  return { text: best?.transcript ?? '', startMs, endMs, words };
}

/** A piece of speech on a source as the revision applyRevisions takes (none for no piece). */
function revisionOf(sourceKey: string, piece: Piece | undefined, isFinal: boolean) {
  if (!piece) return [];
  return [{ sourceKey, text: piece.text, isFinal, startMs: piece.startMs, endMs: piece.endMs, words: piece.words }];
}

function adaptResults(result: DeepgramResults, ctx: AdapterContext): AdapterResult {
  const sourceKey = sourceOf(result.channel_index, ctx);
  const piece = pieceOf(result);
  const { assembly } = ctx.state;
  if (!result.is_final) {
    // An interim result revises the utterance after its final pieces: show the running text.
    const waiting = assembly.peek(sourceKey);
    const running = waiting ? joinPieces([waiting, piece]) : piece;
    return applyRevisions(deepgram, ctx, revisionOf(sourceKey, running, false));
  }
  // A piece too long to join finishes the utterance waiting before it.
  const earlier = assembly.wouldOverflow(sourceKey, piece) ? finishUtterance(sourceKey, ctx) : noChunks();
  if (piece.text.trim() !== '') assembly.add(sourceKey, piece);
  const ends = result.speech_final === true || result.from_finalize === true;
  const waiting = assembly.peek(sourceKey);
  if (ends || (waiting && waiting.endMs - waiting.startMs >= MAX_UTTERANCE_MS)) {
    // An empty final still closes a segment an interim result opened.
    const final = applyRevisions(deepgram, ctx, revisionOf(sourceKey, assembly.take(sourceKey) ?? piece, true));
    return combine([earlier, final]);
  }
  return combine([earlier, applyRevisions(deepgram, ctx, revisionOf(sourceKey, waiting, false))]);
}

function finishUtterance(sourceKey: string, ctx: AdapterContext): AdapterResult {
  return applyRevisions(deepgram, ctx, revisionOf(sourceKey, ctx.state.assembly.take(sourceKey), true));
}

const describeError = (message: unknown): string => {
  const { description, message: text, err_msg } = message as Record<string, unknown>;
  const detail = [description, text, err_msg].find((v) => typeof v === 'string');
  return typeof detail === 'string' ? detail : 'no detail';
};

/**
 * Deepgram live streaming. `is_final` results are pieces of an utterance: they are joined until
 * `speech_final`, `from_finalize`, `UtteranceEnd` or a quiet connection (flush), and only the whole
 * utterance is final. Mono audio is one leg of the call: its speaker is the connection's stream,
 * or with diarization each word's speaker.
 */
export const deepgram: TranscriptAdapter = {
  name: 'deepgram',
  // Channels and diarized speakers are numbered from 0.
  defaultSpeakers: twoPartySpeakers(0),
  adapt(message, ctx) {
    const typed = checkDeepgramMessage(message);
    // Deepgram's own documentation shows results without `type`; their shape says what they are.
    const untypedResults =
      !typed.ok &&
      typeof message === 'object' &&
      message !== null &&
      'channel_index' in message &&
      'channel' in message;
    if (!typed.ok && !untypedResults) return failure(deepgram.name, typed.message);
    const type = typed.ok ? typed.value.type : 'Results';
    if (NON_TRANSCRIPT_TYPES.has(type)) return noChunks();
    if (type === 'Error') return failure(deepgram.name, `provider reported an error: ${describeError(message)}`);
    if (type === 'UtteranceEnd') {
      const end = checkUtteranceEnd(message);
      return end.ok ? finishUtterance(sourceOf(end.value.channel, ctx), ctx) : failure(deepgram.name, end.message);
    }
    if (type !== 'Results') return failure(deepgram.name, `type: unknown message type "${type}"`);
    const checked = checkResults(untypedResults ? { type, ...message } : message);
    return checked.ok ? adaptResults(checked.value, ctx) : failure(deepgram.name, checked.message);
  },
  flush(ctx) {
    return combine(ctx.state.assembly.sources().map((sourceKey) => finishUtterance(sourceKey, ctx)));
  },
};
