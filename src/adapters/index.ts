import type { TranscriptAdapter } from './adapter.js';
import { amazonTranscribe } from './amazon-transcribe.js';
import { assemblyAi } from './assemblyai.js';
import { contactLens } from './contact-lens.js';
import { deepgram } from './deepgram.js';
import { googleStt } from './google-stt.js';
import { native } from './native.js';
import { twilio } from './twilio.js';

export type { AdapterContext, AdapterResult, SpeakerAssignment, SpeakerMap, TranscriptAdapter } from './adapter.js';
export { CallAdapterState } from './call-state.js';

export const DEFAULT_FORMAT = native.name;

/** Every ingest `format`, keyed by name. */
export const ADAPTERS: ReadonlyMap<string, TranscriptAdapter> = new Map(
  [native, amazonTranscribe, contactLens, deepgram, assemblyAi, googleStt, twilio].map((adapter) => [
    adapter.name,
    adapter,
  ]),
);

/** The adapter for a `format` parameter; no parameter means the service's own format. */
export function adapterFor(format: string | undefined): TranscriptAdapter | undefined {
  return ADAPTERS.get(format ?? DEFAULT_FORMAT);
}
