import { describe, expect, it } from 'vitest';
import { deepgram } from '../../../src/adapters/deepgram.js';
import { newContext, run } from './context.js';

const results = (transcript: string, extra: Record<string, unknown> = {}) => ({
  type: 'Results',
  channel_index: [0, 2],
  start: 2.5,
  duration: 1.25,
  is_final: false,
  channel: { alternatives: [{ transcript, words: [] }] },
  ...extra,
});

describe('deepgram adapter', () => {
  it('revises one segment per channel until is_final, then opens the next', () => {
    const chunks = run(deepgram, [results('the router'), results('the router is dead', { is_final: true }), results('again', { start: 3.75, duration: 0.5 })]);
    expect(chunks.map((c) => [c.isFinal, c.startMs, c.endMs])).toEqual([
      [false, 2500, 3750],
      [true, 2500, 3750],
      [false, 3750, 4250],
    ]);
    expect(chunks[0]?.segmentId).toBe(chunks[1]?.segmentId);
    expect(chunks[2]?.segmentId).not.toBe(chunks[1]?.segmentId);
  });

  it('keeps channels apart', () => {
    const chunks = run(deepgram, [results('hello'), results('hi there', { channel_index: [1, 2] }), results('hello you', { is_final: true })]);
    expect(chunks.map((c) => c.speaker)).toEqual(['customer', 'agent', 'customer']);
    expect(chunks[0]?.segmentId).toBe(chunks[2]?.segmentId);
  });

  it('uses the diarized speaker on single-channel audio', () => {
    const diarized = results('thanks for calling', { channel_index: [0, 1], channel: { alternatives: [{ transcript: 'thanks for calling', words: [{ speaker: 1 }] }] } });
    expect(run(deepgram, [diarized])[0]?.speaker).toBe('customer');
    expect(run(deepgram, [diarized], newContext({ speakers: { 'speaker-1': 'agent' } }))[0]?.speaker).toBe('agent');
  });

  it('skips empty interim results but closes an open segment with an empty final', () => {
    expect(run(deepgram, [results('')])).toEqual([]);
    const chunks = run(deepgram, [results('uh'), results('', { is_final: true })]);
    expect(chunks.map((c) => [c.text, c.isFinal])).toEqual([['uh', false], ['', true]]);
  });

  it('ignores metadata and speech events, rejects unknown types and malformed results', () => {
    expect(run(deepgram, [{ type: 'Metadata' }, { type: 'SpeechStarted' }, { type: 'UtteranceEnd', channel: [0, 2] }])).toEqual([]);
    expect(deepgram.adapt({ type: 'Nonsense' }, newContext())).toEqual({ ok: false, error: expect.stringContaining('Nonsense') });
    expect(deepgram.adapt(results('x', { channel_index: [] }), newContext()).ok).toBe(false);
    expect(deepgram.adapt(null, newContext()).ok).toBe(false);
  });
});
