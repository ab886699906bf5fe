import { describe, expect, it } from 'vitest';
import { amazonTranscribe } from '../../../src/adapters/amazon-transcribe.js';
import { newContext, run } from './context.js';

const event = (result: Record<string, unknown>) => ({
  Transcript: { Results: [{ ResultId: 'r1', IsPartial: true, StartTime: 1.2, EndTime: 1.9, ChannelId: 'ch_0', Alternatives: [{ Transcript: 'hello' }], ...result }] },
});

describe('amazon-transcribe adapter', () => {
  it('keeps one segment across partial revisions and converts seconds to ms', () => {
    const chunks = run(amazonTranscribe, [event({}), event({ Alternatives: [{ Transcript: 'hello there' }], EndTime: 2.25, IsPartial: false })]);
    expect(chunks.map((c) => [c.segmentId, c.seq, c.text, c.isFinal, c.startMs, c.endMs])).toEqual([
      ['r1', 0, 'hello', false, 1200, 1900],
      ['r1', 1, 'hello there', true, 1200, 2250],
    ]);
  });

  it('accepts the SDK-wrapped TranscriptEvent form', () => {
    expect(run(amazonTranscribe, [{ TranscriptEvent: event({}) }])).toHaveLength(1);
  });

  it('drops a partial that arrives after its segment was finalised', () => {
    const chunks = run(amazonTranscribe, [event({ IsPartial: false }), event({ Alternatives: [{ Transcript: 'hel' }] })]);
    expect(chunks).toHaveLength(1);
  });

  it('gives no chunk for an empty result that opens nothing', () => {
    expect(run(amazonTranscribe, [event({ Alternatives: [] }), { Transcript: { Results: [] } }])).toEqual([]);
  });

  it('maps channels with per-call overrides and reports unmapped channels', () => {
    const ctx = newContext({ speakers: { ch_0: 'agent' } });
    expect(run(amazonTranscribe, [event({})], ctx)[0]?.speaker).toBe('agent');
    const unmapped = amazonTranscribe.adapt(event({ ChannelId: 'ch_7' }), newContext());
    expect(unmapped).toEqual({ ok: false, error: expect.stringContaining('ch_7') });
  });

  it('uses the connection stream when the result has no channel', () => {
    const chunks = run(amazonTranscribe, [event({ ChannelId: undefined })], newContext({ stream: 'agent' }));
    expect(chunks[0]?.speaker).toBe('agent');
  });

  it('returns an error naming the field for malformed messages', () => {
    const result = amazonTranscribe.adapt({ Transcript: { Results: [{ ResultId: 'r1' }] } }, newContext());
    expect(result.ok).toBe(false);
    expect(amazonTranscribe.adapt('not json', newContext()).ok).toBe(false);
  });
});
