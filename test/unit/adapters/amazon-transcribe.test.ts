import { describe, expect, it } from 'vitest';
import { amazonTranscribe } from '../../../src/adapters/amazon-transcribe.js';
import { newContext, run } from './context.js';

const event = (result: Record<string, unknown>) => ({
  Transcript: {
    Results: [
      {
        ResultId: 'r1',
        IsPartial: true,
        StartTime: 1.2,
        EndTime: 1.9,
        ChannelId: 'ch_0',
        Alternatives: [{ Transcript: 'hello' }],
        ...result,
      },
    ],
  },
});

describe('amazon-transcribe adapter', () => {
  it('keeps one segment across partial revisions and converts seconds to ms', () => {
    const chunks = run(amazonTranscribe, [
      event({}),
      event({ Alternatives: [{ Transcript: 'hello there' }], EndTime: 2.25, IsPartial: false }),
    ]);
    expect(chunks.map((c) => [c.segmentId, c.seq, c.text, c.isFinal, c.startMs, c.endMs])).toEqual([
      ['r1', 0, 'hello', false, 1200, 1900],
      ['r1', 1, 'hello there', true, 1200, 2250],
    ]);
  });

  it('accepts the SDK-wrapped TranscriptEvent form', () => {
    expect(run(amazonTranscribe, [{ TranscriptEvent: event({}) }])).toHaveLength(1);
  });

  it('drops a partial that arrives after its segment was finalised', () => {
    const chunks = run(amazonTranscribe, [
      event({ IsPartial: false }),
      event({ Alternatives: [{ Transcript: 'hel' }] }),
    ]);
    expect(chunks).toHaveLength(1);
  });

  it('gives no chunk for an empty result that opens nothing', () => {
    expect(run(amazonTranscribe, [event({ Alternatives: [] }), { Transcript: { Results: [] } }])).toEqual([]);
  });

  it('maps channels with per-call overrides and reports unmapped channels', () => {
    const ctx = newContext({ speakers: { ch_0: 'agent' } });
    expect(run(amazonTranscribe, [event({})], ctx)[0]?.speaker).toBe('agent');
    const unmapped = amazonTranscribe.adapt(event({ ChannelId: 'ch_7' }), newContext());
    expect(unmapped).toEqual({ ok: false, code: 'invalid_message', message: expect.stringContaining('ch_7') });
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

describe('amazon-transcribe adapter: every event the SDKs yield', () => {
  it('reads the TranscriptResultStream wrapper and ignores the SDK’s empty event and category events', () => {
    expect(
      run(amazonTranscribe, [{ TranscriptResultStream: { TranscriptEvent: event({ IsPartial: false }) } }]),
    ).toHaveLength(1);
    expect(
      run(amazonTranscribe, [
        { Transcript: {} },
        { TranscriptEvent: { Transcript: {} } },
        { CategoryEvent: { MatchedCategories: [] } },
      ]),
    ).toEqual([]);
  });

  it('reports exception events by name, wrapped or as the bare payload', () => {
    expect(amazonTranscribe.adapt({ BadRequestException: { Message: 'bad audio' } }, newContext())).toEqual({
      ok: false,
      code: 'invalid_message',
      message: expect.stringContaining('BadRequestException: bad audio'),
    });
    expect(amazonTranscribe.adapt({ Message: 'throttled' }, newContext())).toEqual({
      ok: false,
      code: 'invalid_message',
      message: expect.stringContaining('exception: throttled'),
    });
  });

  it('reads Call Analytics UtteranceEvents, by participant role', () => {
    const utterance = {
      UtteranceId: 'u1',
      IsPartial: false,
      ParticipantRole: 'AGENT',
      BeginOffsetMillis: 1000,
      EndOffsetMillis: 2500,
      Transcript: 'how can i help',
    };
    const chunks = run(amazonTranscribe, [{ UtteranceEvent: utterance }]);
    expect(chunks.map((c) => [c.speaker, c.text, c.isFinal, c.startMs, c.endMs])).toEqual([
      ['agent', 'how can i help', true, 1000, 2500],
    ]);
  });

  it("splits a final at speaker labels; the first turn takes over the partial's segment", () => {
    const item = (Content: string, StartTime: number, EndTime: number, Speaker?: string, Type = 'pronunciation') => ({
      Content,
      StartTime,
      EndTime,
      Type,
      ...(Speaker ? { Speaker } : {}),
    });
    const Items = [
      item('hello', 1, 1.4, '0'),
      item('there', 1.4, 1.8, '0'),
      item('.', 1.8, 1.8, undefined, 'punctuation'),
      item('hi', 2.2, 2.5, '1'),
    ];
    const chunks = run(amazonTranscribe, [
      event({ Alternatives: [{ Transcript: 'hello' }] }),
      event({ IsPartial: false, EndTime: 2.5, Alternatives: [{ Transcript: 'hello there. hi', Items }] }),
    ]);
    expect(chunks.map((c) => [c.speaker, c.text, c.isFinal, c.startMs, c.endMs])).toEqual([
      ['customer', 'hello', false, 1200, 1900],
      ['agent', 'hello there.', true, 1000, 1800],
      ['customer', 'hi', true, 2200, 2500],
    ]);
    expect(chunks[1]?.segmentId).toBe(chunks[0]?.segmentId);
  });

  it('names the field in errors, through the wrapper too', () => {
    const bad = {
      Transcript: { Results: [{ ResultId: 'r1', IsPartial: false, StartTime: 0, EndTime: 'late', Alternatives: [] }] },
    };
    expect(amazonTranscribe.adapt(bad, newContext())).toEqual({
      ok: false,
      code: 'invalid_message',
      message: 'amazon-transcribe: Transcript.Results[0].EndTime: expected number',
    });
    expect(amazonTranscribe.adapt({ TranscriptEvent: bad }, newContext())).toEqual({
      ok: false,
      code: 'invalid_message',
      message: 'amazon-transcribe: TranscriptEvent.Transcript.Results[0].EndTime: expected number',
    });
  });
});
