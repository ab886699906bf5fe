import { Type, type Static } from '@sinclair/typebox';
import { VerdictSchema } from './common.js';
import { SpeakerRole } from './transcript-chunk.js';

const MAX_CLASSIFY_TEXTS = 64;

export const ClassifyRequest = Type.Object(
  {
    texts: Type.Array(Type.String({ maxLength: 4000 }), { minItems: 1, maxItems: MAX_CLASSIFY_TEXTS }),
    speaker: Type.Optional({ ...SpeakerRole, description: 'Who said the texts (default customer).' }),
  },
  { additionalProperties: false },
);
export type ClassifyRequest = Static<typeof ClassifyRequest>;

export const ClassifyResponse = Type.Object({ results: Type.Array(VerdictSchema) });
export type ClassifyResponse = Static<typeof ClassifyResponse>;

export const HttpError = Type.Object({ error: Type.String(), message: Type.String() });
