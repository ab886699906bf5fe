import { Type } from '@sinclair/typebox';
import { refusal } from '../protocol/errors.js';
import { validator } from '../protocol/validator.js';
import { failure, noChunks, type AdapterContext, type AdapterResult, type TranscriptAdapter } from './adapter.js';
import { applyRevisions } from './revise.js';
import { STREAM_LABEL_SPEAKERS } from './speakers.js';

/** The fields of a transcription-content webhook we use; form bodies carry every value as a string. */
const TwilioTranscriptionContent = Type.Object({
  TranscriptionEvent: Type.Literal('transcription-content'),
  TranscriptionSid: Type.Optional(Type.String()),
  Track: Type.String({ minLength: 1 }),
  Final: Type.Union([Type.Literal('true'), Type.Literal('false')]),
  SequenceId: Type.String({ pattern: '^[0-9]{1,15}$' }),
  TranscriptionData: Type.String(),
  Timestamp: Type.String({ minLength: 1 }),
});
const checkContent = validator(TwilioTranscriptionContent);
const TranscriptionData = Type.Object({ transcript: Type.String() });
const checkTranscriptionData = validator(TranscriptionData);
const Envelope = Type.Object({
  TranscriptionEvent: Type.String(),
  TranscriptionError: Type.Optional(Type.String()),
  Timestamp: Type.Optional(Type.String()),
});
const checkEnvelope = validator(Envelope);

const LIFECYCLE_EVENTS = new Set(['transcription-started', 'transcription-stopped']);

/**
 * How far one webhook's SequenceId may run ahead of the last one seen on its transcription (or of
 * 0 for the first). A forged SequenceId=1e30 would otherwise make every later real webhook look
 * like a retry and be dropped.
 */
const MAX_SEQUENCE_JUMP = 100_000;

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function adaptContent(body: unknown, ctx: AdapterContext): AdapterResult {
  const checked = checkContent(body);
  if (!checked.ok) return failure(twilio.name, checked.message);
  const form = checked.value;
  const json = parseJson(form.TranscriptionData);
  const data = json.ok ? checkTranscriptionData(json.value) : refusal('invalid_message', 'not JSON');
  if (!data.ok) return failure(twilio.name, `TranscriptionData: ${data.message}`);
  const heardAt = Date.parse(form.Timestamp);
  if (Number.isNaN(heardAt)) return failure(twilio.name, `Timestamp: not a date: "${form.Timestamp}"`);
  const transcription = form.TranscriptionSid ?? 'transcription';
  const sequence = Number(form.SequenceId);
  const last = ctx.state.lastSequence(transcription) ?? 0;
  if (sequence > last + MAX_SEQUENCE_JUMP)
    return failure(twilio.name, `SequenceId: ${sequence} jumps more than ${MAX_SEQUENCE_JUMP} past ${last}`);
  // Retried or late webhooks repeat an old SequenceId; replaying them would reopen closed segments.
  if (!ctx.state.acceptSequence(transcription, sequence)) return { ok: true, chunks: [], dropped: ['retried_webhook'] };
  ctx.state.originMs ??= heardAt;
  return applyRevisions(twilio, ctx, [
    {
      sourceKey: form.Track,
      text: data.value.transcript,
      isFinal: form.Final === 'true',
      // Twilio sends no audio offsets: the end is when the text was produced, relative to the call's origin.
      endMs: Math.max(0, heardAt - ctx.state.originMs),
    },
  ]);
}

/**
 * Twilio real-time transcription posts form webhooks; this takes the parsed form body (or query).
 * Track mapping, a choice: `inbound_track` is the customer, as on a call that rings into the
 * contact centre (the caller's audio comes in). Twilio's own <Transcription> example labels the
 * tracks the other way round (inboundTrackLabel="agent"), as on a call the agent places. Either
 * way `speakers=inbound_track:agent,outbound_track:customer` overrides it per call, and tracks
 * labelled `customer` or `agent` (Twilio's inboundTrackLabel/outboundTrackLabel) need no map.
 */
export const twilio: TranscriptAdapter = {
  name: 'twilio',
  defaultSpeakers: { ...STREAM_LABEL_SPEAKERS, inbound_track: 'customer', outbound_track: 'agent' },
  adapt(body, ctx) {
    const envelope = checkEnvelope(body);
    if (!envelope.ok) return failure(twilio.name, envelope.message);
    const { TranscriptionEvent, TranscriptionError, Timestamp } = envelope.value;
    if (TranscriptionEvent === 'transcription-content') return adaptContent(body, ctx);
    if (TranscriptionEvent === 'transcription-started') {
      // Transcription starts with the call's audio: later offsets count from here.
      const startedAt = Date.parse(Timestamp ?? '');
      if (!Number.isNaN(startedAt)) ctx.state.originMs ??= startedAt;
    }
    if (LIFECYCLE_EVENTS.has(TranscriptionEvent)) return noChunks();
    if (TranscriptionEvent === 'transcription-error')
      return failure(twilio.name, `provider reported an error: ${TranscriptionError ?? 'no detail'}`);
    return failure(twilio.name, `TranscriptionEvent: unknown event "${TranscriptionEvent}"`);
  },
};
