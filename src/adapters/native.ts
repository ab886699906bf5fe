import { TranscriptChunk } from '../protocol/transcript-chunk.js';
import { chunksOf, failure, type TranscriptAdapter } from './adapter.js';
import { checkMessage } from './message-check.js';

/** The service's own format: chunks arrive ready-made and keep the producer's numbering. */
export const native: TranscriptAdapter = {
  name: 'native',
  defaultSpeakers: {},
  adapt(message) {
    const checked = checkMessage(TranscriptChunk, message);
    return checked.ok ? chunksOf([checked.value]) : failure(native.name, checked.problem);
  },
};
