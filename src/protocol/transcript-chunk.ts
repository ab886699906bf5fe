import { Type, type Static } from '@sinclair/typebox';

export const SpeakerRole = Type.Union([Type.Literal('customer'), Type.Literal('agent')], {
  description: 'Who spoke: the caller (customer) or the call-centre agent.',
});
export type SpeakerRole = Static<typeof SpeakerRole>;

/**
 * One speech-to-text segment, as the service's own ingest format carries it.
 * A segment is revised by later chunks with the same segmentId until one arrives with isFinal.
 */
export const TranscriptChunk = Type.Object(
  {
    callId: Type.String({ minLength: 1, maxLength: 128 }),
    segmentId: Type.String({ minLength: 1, maxLength: 128 }),
    seq: Type.Integer({ minimum: 0, description: 'Per-call sequence number set by the producer; increases with each chunk.' }),
    speaker: SpeakerRole,
    isFinal: Type.Boolean(),
    text: Type.String({ maxLength: 4000 }),
    startMs: Type.Integer({ minimum: 0 }),
    endMs: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type TranscriptChunk = Static<typeof TranscriptChunk>;
