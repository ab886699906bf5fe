import { Type, type Static } from '@sinclair/typebox';
import { MAX_TEXT_CHARS, SpeakerRole } from './transcript-chunk.js';
import { Verdict } from './verdict.js';

const MAX_CLASSIFY_TEXTS = 64;

export const ClassifyRequest = Type.Object(
  {
    texts: Type.Array(Type.String({ maxLength: MAX_TEXT_CHARS }), { minItems: 1, maxItems: MAX_CLASSIFY_TEXTS }),
    speaker: Type.Optional({ ...SpeakerRole, description: 'Who said the texts (default customer).' }),
  },
  { additionalProperties: false },
);
export type ClassifyRequest = Static<typeof ClassifyRequest>;

/** Agent acts steer the ladder only: a verdict is answered with its label, scores and spans. */
export const ClassifyResponse = Type.Object({
  results: Type.Array(Type.Omit(Verdict, ['act', 'actScores', 'threatAlone'])),
});
export type ClassifyResponse = Static<typeof ClassifyResponse>;
