import { TranscriptChunk } from '../protocol/transcript-chunk.js';
import { validator } from '../protocol/validator.js';
import { chunksOf, failure, type TranscriptAdapter } from './adapter.js';

const checkChunk = validator(TranscriptChunk);

/** The service's own format: chunks arrive ready-made and keep the producer's numbering. */
export const native: TranscriptAdapter = {
  name: 'native',
  defaultSpeakers: {},
  adapt(message) {
    const checked = checkChunk(message);
    return checked.ok ? chunksOf([checked.value]) : failure(native.name, checked.message);
  },
};
