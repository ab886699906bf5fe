import { Type } from '@sinclair/typebox';
import { failure, noChunks, type TranscriptAdapter } from './adapter.js';
import { checkMessage } from './message-check.js';
import { applyRevisions, type UnattributedRevision } from './revise.js';
import { STREAM_LABEL_SPEAKERS } from './speakers.js';

const Offsets = {
  ParticipantRole: Type.String({ minLength: 1 }),
  BeginOffsetMillis: Type.Integer({ minimum: 0 }),
  EndOffsetMillis: Type.Integer({ minimum: 0 }),
};
const Utterance = Type.Object({ TranscriptId: Type.String({ minLength: 1 }), PartialContent: Type.String(), ...Offsets });
const Transcript = Type.Object({ Id: Type.String({ minLength: 1 }), Content: Type.String(), ...Offsets });
const Segment = Type.Object({ Utterance: Type.Optional(Utterance), Transcript: Type.Optional(Transcript) });
/** A Kinesis segment-stream event, or a ListRealtimeContactAnalysisSegments response (no EventType). */
export const ContactLensMessage = Type.Object({
  EventType: Type.Optional(Type.String()),
  Segments: Type.Optional(Type.Array(Segment)),
});

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
    const checked = checkMessage(ContactLensMessage, message);
    if (!checked.ok) return failure(contactLens.name, checked.problem);
    const { EventType, Segments } = checked.value;
    // STARTED, COMPLETED and FAILED bracket the session and carry no speech.
    if (EventType !== undefined && EventType !== 'SEGMENTS') return noChunks();
    if (Segments === undefined) return failure(contactLens.name, '/Segments: a SEGMENTS event needs a Segments list');
    const revisions: UnattributedRevision[] = [];
    for (const segment of Segments) {
      // Utterances are partial text of the transcript they belong to; a Transcript segment is final.
      if (segment.Utterance) {
        const u = segment.Utterance;
        revisions.push({ segmentKey: u.TranscriptId, sourceKey: u.ParticipantRole, text: u.PartialContent, isFinal: false, startMs: u.BeginOffsetMillis, endMs: u.EndOffsetMillis });
      }
      if (segment.Transcript) {
        const t = segment.Transcript;
        revisions.push({ segmentKey: t.Id, sourceKey: t.ParticipantRole, text: t.Content, isFinal: true, startMs: t.BeginOffsetMillis, endMs: t.EndOffsetMillis });
      }
    }
    return applyRevisions(contactLens, ctx, revisions);
  },
};
