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
      {
        results: [
          result('to be or not', {
            isFinal: true,
            resultEndTime: '3.250s',
            alternatives: [{ transcript: 'to be or not', words: [{ startTime: '1.100s' }] }],
          }),
        ],
      },
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
    expect(
      run(googleStt, [{ results: [result('hi', { channelTag: undefined })] }], newContext({ stream: 'customer' }))[0]
        ?.speaker,
    ).toBe('customer');
  });

  it('accepts v2 resultEndOffset and ignores responses without results', () => {
    expect(
      run(googleStt, [{ results: [result('hi', { resultEndTime: undefined, resultEndOffset: '0.5s' })] }])[0]?.endMs,
    ).toBe(500);
    expect(run(googleStt, [{ speechEventType: 'END_OF_SINGLE_UTTERANCE' }, { results: [] }])).toEqual([]);
  });

  it("reads responses as Google's Node client hands them over, every unset message field null", () => {
    // gax-nodejs decodes with `defaults: true`: error, speechAdaptationInfo (and any unset duration) arrive as null.
    const nodeClientFinal = {
      results: [
        {
          alternatives: [{ words: [], transcript: 'how old is the Brooklyn Bridge', confidence: 0.97 }],
          isFinal: true,
          stability: 0,
          resultEndTime: { seconds: '1', nanos: 740000000 },
          channelTag: 0,
          languageCode: 'en-us',
        },
      ],
      error: null,
      speechEventType: 'SPEECH_EVENT_UNSPECIFIED',
      totalBilledTime: { seconds: '2', nanos: 0 },
      speechAdaptationInfo: null,
      requestId: '2627566453197020659',
    };
    const nodeClientEvent = { results: [], error: null, speechEventType: 'END_OF_SINGLE_UTTERANCE' };
    const chunks = run(googleStt, [nodeClientFinal, nodeClientEvent]);
    expect(chunks.map((c) => [c.speaker, c.isFinal, c.text, c.startMs, c.endMs])).toEqual([
      ['customer', true, 'how old is the Brooklyn Bridge', 0, 1740],
    ]);
    // The v2 client names the times offsets; unset, they are null too.
    const v2Word = { word: 'hi', startOffset: { seconds: '1', nanos: 0 }, endOffset: null, speakerLabel: '' };
    const v2 = run(googleStt, [
      {
        results: [
          result('hi', {
            isFinal: true,
            resultEndTime: undefined,
            resultEndOffset: null,
            channelTag: 0,
            alternatives: [{ transcript: 'hi', words: [v2Word] }],
          }),
        ],
        error: null,
      },
    ]);
    expect(v2.map((c) => [c.text, c.startMs, c.endMs])).toEqual([['hi', 1000, 1000]]);
    expect(googleStt.adapt({ error: 'broken' }, newContext())).toMatchObject({
      ok: false,
      message: expect.stringContaining('error: expected object or null'),
    });
  });

  it('reports provider errors, bad durations and malformed results', () => {
    expect(googleStt.adapt({ error: { code: 11, message: 'Audio Timeout Error' } }, newContext())).toEqual({
      ok: false,
      code: 'invalid_message',
      message: expect.stringContaining('Audio Timeout'),
    });
    expect(googleStt.adapt({ results: [result('hi', { resultEndTime: '2.5 seconds' })] }, newContext()).ok).toBe(false);
    expect(googleStt.adapt({ results: [{ isFinal: true }] }, newContext()).ok).toBe(false);
  });
});

describe('google-stt adapter: times in every JSON form', () => {
  it('takes resultEndTime as the Node client hands it over, or does without it', () => {
    expect(
      run(googleStt, [
        { results: [result('hi', { isFinal: true, resultEndTime: { seconds: '3', nanos: 500_000_000 } })] },
      ])[0]?.endMs,
    ).toBe(3500);
    expect(
      run(googleStt, [{ results: [result('hi', { isFinal: true, resultEndTime: { seconds: 2 } })] }])[0]?.endMs,
    ).toBe(2000);
    const without = run(googleStt, [
      {
        results: [
          result('hi', {
            isFinal: true,
            resultEndTime: undefined,
            alternatives: [
              {
                transcript: 'hi',
                words: [{ word: 'hi', startTime: { seconds: 1 }, endTime: { seconds: 1, nanos: 400_000_000 } }],
              },
            ],
          }),
        ],
      },
    ]);
    expect(without.map((c) => [c.startMs, c.endMs])).toEqual([[1000, 1400]]);
  });

  it('names the field of a bad duration', () => {
    expect(googleStt.adapt({ results: [result('hi', { resultEndTime: { seconds: 'soon' } })] }, newContext())).toEqual({
      ok: false,
      code: 'invalid_message',
      message: expect.stringContaining('results[0].resultEndTime'),
    });
  });

  it('reads only the new words of a diarized word list that runs from the start of the call', () => {
    const word = (w: string, s: number, e: number, speakerTag: number) => ({
      word: w,
      startTime: `${s}s`,
      endTime: `${e}s`,
      speakerTag,
    });
    const first = [word('hello', 0.5, 0.9, 1), word('hi', 1.2, 1.5, 2)];
    const second = [...first, word('my', 2, 2.2, 2), word('bill', 2.2, 2.6, 2)];
    const chunks = run(googleStt, [
      {
        results: [
          result('hello hi', {
            isFinal: true,
            resultEndTime: '1.5s',
            channelTag: undefined,
            alternatives: [{ transcript: 'hello hi', words: first }],
          }),
        ],
      },
      {
        results: [
          result('my bill', {
            isFinal: true,
            resultEndTime: '2.6s',
            channelTag: undefined,
            alternatives: [{ transcript: 'my bill', words: second }],
          }),
        ],
      },
    ]);
    expect(chunks.map((c) => [c.speaker, c.text, c.startMs, c.endMs])).toEqual([
      ['agent', 'hello', 500, 900],
      ['customer', 'hi', 1200, 1500],
      ['customer', 'my bill', 2000, 2600],
    ]);
  });
});
