import type { SpeakerRole, TranscriptChunk } from '../protocol/transcript-chunk.js';
import type { CallAdapterState } from './call-state.js';

/**
 * Who a provider's channel, track or participant is. `ignore` drops that source's speech
 * (e.g. IVR prompts); a source with no mapping at all is reported as an error.
 */
export type SpeakerAssignment = SpeakerRole | 'ignore';
export type SpeakerMap = Readonly<Record<string, SpeakerAssignment>>;

export interface AdapterContext {
  callId: string;
  /** Per-call overrides, merged over the adapter's defaultSpeakers. */
  speakers: SpeakerMap;
  /**
   * For providers that transcribe one audio source per session (AssemblyAI): which source this
   * connection carries, looked up in the speaker map. Multichannel providers ignore it.
   */
  stream?: string;
  state: CallAdapterState;
}

export type AdapterResult = { ok: true; chunks: TranscriptChunk[] } | { ok: false; error: string };

export interface TranscriptAdapter {
  /** The `format` name an ingest connection selects this adapter with. */
  name: string;
  defaultSpeakers: SpeakerMap;
  /** Never throws: malformed or unknown messages come back as `{ ok: false }`. */
  adapt(message: unknown, ctx: AdapterContext): AdapterResult;
}

export const chunksOf = (chunks: TranscriptChunk[]): AdapterResult => ({ ok: true, chunks });
export const noChunks = (): AdapterResult => ({ ok: true, chunks: [] });
export const failure = (adapter: string, problem: string): AdapterResult => ({ ok: false, error: `${adapter}: ${problem}` });
