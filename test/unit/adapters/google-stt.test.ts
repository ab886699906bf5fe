import { describe, expect, it } from 'vitest';
import { googleStt } from '../../../src/adapters/google-stt.js';
import { newContext, run } from './context.js';

const result = (transcript: string, extra: Record<string, unknown> = {}) => ({
  alternatives: [{ transcript }],
  isFinal: false,
  resultEndTime: '2.5s',
  channelTag: 1,
  ...extra,
});

describe('google-stt adapter', () => {
  it('revises a segment per channel until isFinal; later segments start where the last final ended', () => {
    const chunks = run(googleStt, [
      { results: [result('to be')] },
      { results: [result('to be or not', { isFinal: true, resultEndTime: '3.250s', alternatives: [{ transcript: 'to be or not', words: [{ startTime: '1.100s' }] }] })] },
      { results: [result('that is', { resultEndTime: '4s' })] },
    ]);
    expect(chunks.map((c) => [c.isFinal, c.startMs, c.endMs])).toEqual([
      [false, 0, 2500],
      [true, 1100, 3250],
      [false, 3250, 4000],
    ]);
    expect(chunks[0]?.segmentId).toBe(chunks[1]?.segmentId);
    expect(chunks[2]?.segmentId).not.toBe(chunks[1]?.segmentId);
  });

  it('applies a final and the interim pieces after it from one response in order', () => {
    const chunks = run(googleStt, [
      {
        results: [
          result(' to be or not to be', { isFinal: true }),
          result(' that', { stability: 0.9, resultEndTime: '3s' }),
          result(' is the', { stability: 0.1, resultEndTime: '3.4s' }),
        ],
      },
    ]);
    expect(chunks.map((c) => [c.isFinal, c.text, c.endMs])).toEqual([
      [true, 'to be or not to be', 2500],
      [false, 'that is the', 3400],
    ]);
  });

  it('maps channel tags, and mono results through the connection stream', () => {
    expect(run(googleStt, [{ results: [result('hi', { channelTag: 2 })] }])[0]?.speaker).toBe('agent');
    expect(run(googleStt, [{ results: [result('hi', { channelTag: undefined })] }], newContext({ stream: 'customer' }))[0]?.speaker).toBe('customer');
  });

  it('accepts v2 resultEndOffset and ignores responses without results', () => {
    expect(run(googleStt, [{ results: [result('hi', { resultEndTime: undefined, resultEndOffset: '0.5s' })] }])[0]?.endMs).toBe(500);
    expect(run(googleStt, [{ speechEventType: 'END_OF_SINGLE_UTTERANCE' }, { results: [] }])).toEqual([]);
  });

  it('reports provider errors, bad durations and malformed results', () => {
    expect(googleStt.adapt({ error: { code: 11, message: 'Audio Timeout Error' } }, newContext())).toEqual({ ok: false, error: expect.stringContaining('Audio Timeout') });
    expect(googleStt.adapt({ results: [result('hi', { resultEndTime: '2.5 seconds' })] }, newContext()).ok).toBe(false);
    expect(googleStt.adapt({ results: [{ isFinal: true }] }, newContext()).ok).toBe(false);
  });
});
