import { describe, expect, it } from 'vitest';
import { adapterFor, CallAdapterState } from '../../../src/adapters/index.js';
import type { TranscriptChunk } from '../../../src/protocol/transcript-chunk.js';
import { ENCODERS, TWILIO_CALL_ORIGIN_MS } from '../../../fixtures/encoders.js';
import { loadFixtureCalls, readProviderRecords } from '../../../fixtures/fixture-call.js';
import { chunksFrom, newContext } from './context.js';

/** Which start times a provider's messages carry (the rest are estimated from the previous final). */
const EXACT_STARTS: Record<string, 'all' | 'finals' | 'none'> = {
  'amazon-transcribe': 'all',
  'contact-lens': 'all',
  deepgram: 'all',
  assemblyai: 'all',
  'google-stt': 'finals',
  twilio: 'none',
};

/** Segment ids renamed to their order of first appearance, so grouping can be compared across id schemes. */
function withCanonicalSegments(chunks: TranscriptChunk[]): TranscriptChunk[] {
  const order = new Map<string, number>();
  return chunks.map((chunk) => {
    if (!order.has(chunk.segmentId)) order.set(chunk.segmentId, order.size);
    return { ...chunk, segmentId: `segment-${order.get(chunk.segmentId)}` };
  });
}

function comparable(chunk: TranscriptChunk, exactStarts: 'all' | 'finals' | 'none'): Partial<TranscriptChunk> {
  const keepStart = exactStarts === 'all' || (exactStarts === 'finals' && chunk.isFinal);
  const { startMs, ...rest } = chunk;
  return keepStart ? { ...rest, startMs } : rest;
}

const calls = loadFixtureCalls();

describe('fixture calls', () => {
  it('has at least twelve calls, each with both speakers and partial revisions', () => {
    expect(calls.length).toBeGreaterThanOrEqual(12);
    for (const { call } of calls) {
      expect(new Set(call.chunks.map((c) => c.speaker))).toEqual(new Set(['customer', 'agent']));
      expect(call.chunks.some((c) => !c.isFinal)).toBe(true);
      expect(call.chunks.map((c) => c.seq)).toEqual(call.chunks.map((_, i) => i));
    }
  });

  it('labels every final segment and nothing else', () => {
    for (const { call } of calls) {
      const finals = call.chunks.filter((c) => c.isFinal).map((c) => c.segmentId);
      expect(Object.keys(call.finalLabels).sort()).toEqual([...finals].sort());
    }
  });
});

describe.each(Object.keys(ENCODERS))('%s round trip', (provider) => {
  const adapter = adapterFor(provider);
  const exactStarts = EXACT_STARTS[provider] ?? 'all';

  it.each(calls.map(({ name, call }) => [name, call] as const))('%s gives back the original chunks', (name, call) => {
    if (!adapter) throw new Error(`no adapter named ${provider}`);
    const ctx = newContext({ callId: call.callId, state: new CallAdapterState({ originMs: TWILIO_CALL_ORIGIN_MS }) });
    const chunks = readProviderRecords(provider, name).flatMap((record) =>
      chunksFrom(adapter.adapt(record.message, { ...ctx, stream: record.stream })),
    );
    const expected = withCanonicalSegments(call.chunks).map((c) => comparable(c, exactStarts));
    expect(withCanonicalSegments(chunks).map((c) => comparable(c, exactStarts))).toEqual(expected);
    for (const chunk of chunks) expect(chunk.startMs).toBeLessThanOrEqual(chunk.endMs);
  });
});
