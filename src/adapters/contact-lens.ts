import { Type } from '@sinclair/typebox';
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
import { lookUpSpeaker, STREAM_LABEL_SPEAKERS } from './speakers.js';
import type { Piece } from './utterance-assembly.js';

const Offsets = {
  ParticipantRole: Type.String({ minLength: 1 }),
  BeginOffsetMillis: Type.Integer({ minimum: 0 }),
  EndOffsetMillis: Type.Integer({ minimum: 0 }),
};
const Utterance = Type.Object({
  Id: Type.Optional(Type.String()),
  TranscriptId: Type.String({ minLength: 1 }),
  PartialContent: Type.String(),
  ...Offsets,
});
const Transcript = Type.Object({ Id: Type.String({ minLength: 1 }), Content: Type.String(), ...Offsets });
const Segment = Type.Object({ Utterance: Type.Optional(Utterance), Transcript: Type.Optional(Transcript) });
/** A Kinesis segment-stream event, or a ListRealtimeContactAnalysisSegments response (no EventType). */
const ContactLensMessage = Type.Object({
  EventType: Type.Optional(Type.String()),
  Segments: Type.Optional(Type.Array(Segment)),
});
const checkContactLensMessage = validator(ContactLensMessage);

/** A participant's next transcript that starts this soon after the last one ended continues the same utterance. */
export const JOIN_GAP_MS = 400;

const REPORT_ONLY = { dropped: ['closed_segment' as const] };

/** Ends the participant's waiting utterance: its joined transcripts become one final. */
function finish(role: string, ctx: AdapterContext): AdapterResult {
  const piece = ctx.state.assembly.take(role);
  if (!piece) return noChunks();
  return applyRevisions(contactLens, ctx, [
    { sourceKey: role, text: piece.text, isFinal: true, startMs: piece.startMs, endMs: piece.endMs },
  ]);
}

/** Another participant speaking, a pause, or a next piece too long to join ends what is waiting. */
function finishBefore(role: string, beginMs: number, ctx: AdapterContext, next?: Piece): AdapterResult {
  const { assembly } = ctx.state;
  const ended = assembly.sources().filter((source) => {
    if (source !== role) return true;
    const waiting = assembly.peek(source);
    return (
      waiting !== undefined &&
      (beginMs - waiting.endMs > JOIN_GAP_MS || (next !== undefined && assembly.wouldOverflow(source, next)))
    );
  });
  return combine(ended.map((source) => finish(source, ctx)));
}

function adaptUtterance(
  u: {
    TranscriptId: string;
    PartialContent: string;
    ParticipantRole: string;
    BeginOffsetMillis: number;
    EndOffsetMillis: number;
  },
  ctx: AdapterContext,
): AdapterResult {
  const { state } = ctx;
  if (state.finishedIds.has(u.TranscriptId)) return { ok: true, chunks: [], ...REPORT_ONLY };
  const before = finishBefore(u.ParticipantRole, u.BeginOffsetMillis, ctx);
  // Utterances are fragments of their transcript: the newest piece only. A fragment that repeats
  // the text so far and goes on (a cumulative partial) replaces it.
  const sofar = state.fragmentText.get(u.TranscriptId) ?? '';
  const fragment = u.PartialContent.trim();
  const text = fragment.startsWith(sofar) ? fragment : `${sofar} ${fragment}`.trim();
  state.fragmentText.set(u.TranscriptId, text);
  const waiting = state.assembly.peek(u.ParticipantRole);
  const running = waiting ? `${waiting.text} ${text}` : text;
  const partial = applyRevisions(contactLens, ctx, [
    {
      sourceKey: u.ParticipantRole,
      text: running,
      isFinal: false,
      startMs: waiting?.startMs ?? u.BeginOffsetMillis,
      endMs: u.EndOffsetMillis,
    },
  ]);
  return combine([before, partial]);
}

function adaptTranscript(
  t: { Id: string; Content: string; ParticipantRole: string; BeginOffsetMillis: number; EndOffsetMillis: number },
  ctx: AdapterContext,
): AdapterResult {
  const { state } = ctx;
  if (state.finishedIds.has(t.Id)) return { ok: true, chunks: [], ...REPORT_ONLY };
  // Checked now, not when the utterance ends, so a misconfigured mapping shows on its first message.
  const lookup = lookUpSpeaker(contactLens, ctx, t.ParticipantRole);
  if (!lookup.ok) return failure(contactLens.name, lookup.message);
  const piece: Piece = { text: t.Content, startMs: t.BeginOffsetMillis, endMs: t.EndOffsetMillis, words: [] };
  const before = finishBefore(t.ParticipantRole, t.BeginOffsetMillis, ctx, piece);
  state.finishedIds.add(t.Id);
  state.fragmentText.delete(t.Id);
  state.assembly.add(t.ParticipantRole, piece);
  return before;
}

/**
 * Amazon Connect Contact Lens real-time segments. A participant's consecutive Transcript segments
 * are pieces of one utterance: they are joined, and the utterance is final when another
 * participant speaks, after a pause, when the session ends, or when the connection goes quiet.
 */
export const contactLens: TranscriptAdapter = {
  name: 'contact-lens',
  defaultSpeakers: {
    ...STREAM_LABEL_SPEAKERS,
    CUSTOMER: 'customer',
    AGENT: 'agent',
    SUPERVISOR: 'agent',
    SYSTEM: 'ignore',
    CUSTOM_BOT: 'ignore',
  },
  adapt(message, ctx) {
    const checked = checkContactLensMessage(message);
    if (!checked.ok) return failure(contactLens.name, checked.message);
    const { EventType, Segments } = checked.value;
    // STARTED opens the session; COMPLETED and FAILED end it, and with it every utterance.
    if (EventType === 'COMPLETED' || EventType === 'FAILED') return contactLens.flush!(ctx);
    if (EventType !== undefined && EventType !== 'SEGMENTS') return noChunks();
    if (Segments === undefined) return failure(contactLens.name, 'Segments: a SEGMENTS event needs a Segments list');
    const results: AdapterResult[] = [];
    // Categories, Issues and PostContactSummary segments carry no speech.
    for (const segment of Segments) {
      if (segment.Utterance) results.push(adaptUtterance(segment.Utterance, ctx));
      if (segment.Transcript) results.push(adaptTranscript(segment.Transcript, ctx));
    }
    return combine(results);
  },
  flush(ctx) {
    return combine(ctx.state.assembly.sources().map((role) => finish(role, ctx)));
  },
};
