import { Type, type Static } from '@sinclair/typebox';
import { Id, MAX_CALL_MS } from './common.js';

export const SpeakerRole = Type.Union([Type.Literal('customer'), Type.Literal('agent')], {
  description: 'Who spoke: the caller (customer) or the call-centre agent.',
});
export type SpeakerRole = Static<typeof SpeakerRole>;

/** The most characters one chunk (or one text to classify) carries. */
export const MAX_TEXT_CHARS = 4000;

/**
 * One speech-to-text segment, as the service's own ingest format carries it.
 * A segment is revised by later chunks with the same segmentId until one arrives with isFinal.
 */
export const TranscriptChunk = Type.Object(
  {
    callId: Id('The call.'),
    segmentId: Id('The segment; revisions of one segment share it.'),
    seq: Type.Integer({
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      description: 'Per-call sequence number set by the producer; increases with each chunk.',
    }),
    speaker: SpeakerRole,
    isFinal: Type.Boolean(),
    text: Type.String({ maxLength: MAX_TEXT_CHARS }),
    startMs: Type.Integer({ minimum: 0, maximum: MAX_CALL_MS }),
    endMs: Type.Integer({ minimum: 0, maximum: MAX_CALL_MS }),
  },
  { additionalProperties: false },
);
export type TranscriptChunk = Static<typeof TranscriptChunk>;
