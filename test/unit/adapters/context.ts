import {
  CallAdapterState,
  type AdapterContext,
  type AdapterResult,
  type TranscriptAdapter,
} from '../../../src/adapters/index.js';
import type { TranscriptChunk } from '../../../src/protocol/transcript-chunk.js';

export function newContext(overrides: Partial<AdapterContext> = {}): AdapterContext {
  return { callId: 'call-1', speakers: {}, state: new CallAdapterState(), ...overrides };
}

export function chunksFrom(result: AdapterResult): TranscriptChunk[] {
  if (!result.ok) throw new Error(`expected chunks, got error: ${result.message}`);
  return result.chunks;
}

/** Feeds messages in order through one call's context and collects every chunk. */
export function run(
  adapter: TranscriptAdapter,
  messages: unknown[],
  ctx: AdapterContext = newContext(),
): TranscriptChunk[] {
  return messages.flatMap((message) => chunksFrom(adapter.adapt(message, ctx)));
}
