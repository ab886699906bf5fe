import { refusal, type Outcome } from '../protocol/errors.js';
import type { SpeakerRole, TranscriptChunk } from '../protocol/transcript-chunk.js';
import type { CallAdapterState, DropReason } from './call-state.js';

/**
 * Who a provider's channel, track, participant or diarized speaker is. `ignore` drops that
 * source's speech (e.g. IVR prompts).
 */
export type SpeakerAssignment = SpeakerRole | 'ignore';
export type SpeakerMap = Readonly<Record<string, SpeakerAssignment>>;

export interface AdapterContext {
  callId: string;
  /** Per-call overrides, merged over the adapter's defaultSpeakers. */
  speakers: SpeakerMap;
  /**
   * Which source this connection carries (one connection per call leg): for single-source audio
   * (mono Deepgram, AssemblyAI, Google without channels) it is looked up in the speaker map.
   * Multichannel results keep their own channel.
   */
  stream?: string;
  state: CallAdapterState;
}

/** The chunks a message gave, or the `invalid_message` refusal naming the adapter and the field at fault. */
export type AdapterResult = Outcome<{ chunks: TranscriptChunk[]; dropped?: DropReason[] }>;

export interface TranscriptAdapter {
  /** The `format` name an ingest connection selects this adapter with. */
  name: string;
  defaultSpeakers: SpeakerMap;
  /** Never throws: malformed or unknown messages come back as `{ ok: false }`. */
  adapt(message: unknown, ctx: AdapterContext): AdapterResult;
  /**
   * Adapters that join final pieces into utterances: finish every utterance still waiting (the
   * connection went quiet, or the call ends), so nothing is held back.
   */
  flush?(ctx: AdapterContext): AdapterResult;
}

export const chunksOf = (chunks: TranscriptChunk[]): AdapterResult => ({ ok: true, chunks });
export const noChunks = (): AdapterResult => ({ ok: true, chunks: [] });
export const failure = (adapter: string, problem: string): AdapterResult =>
  refusal('invalid_message', `${adapter}: ${problem}`);

/** Concatenates results in order; the first failure wins. */
export function combine(results: AdapterResult[]): AdapterResult {
  const chunks: TranscriptChunk[] = [];
  const dropped: DropReason[] = [];
  for (const result of results) {
    if (!result.ok) return result;
    chunks.push(...result.chunks);
    dropped.push(...(result.dropped ?? []));
  }
  return dropped.length ? { ok: true, chunks, dropped } : { ok: true, chunks };
}
