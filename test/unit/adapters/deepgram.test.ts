import { describe, expect, it } from 'vitest';
import { CallAdapterState } from '../../../src/adapters/call-state.js';
import { deepgram, MAX_UTTERANCE_MS } from '../../../src/adapters/deepgram.js';
import { chunksFrom, newContext, run } from './context.js';

const results = (transcript: string, extra: Record<string, unknown> = {}) => ({
  type: 'Results',
  channel_index: [0, 2],
  start: 2.5,
  duration: 1.25,
  is_final: false,
  channel: { alternatives: [{ transcript, words: [] }] },
  ...extra,
});
const final = (transcript: string, extra: Record<string, unknown> = {}) =>
  results(transcript, { is_final: true, speech_final: true, ...extra });
const word = (text: string, start: number, end: number, speaker?: number) => ({
  word: text,
  punctuated_word: text,
  start,
  end,
  ...(speaker !== undefined ? { speaker } : {}),
});

describe('deepgram adapter', () => {
  it('revises one segment per channel until the utterance ends, then opens the next', () => {
    const chunks = run(deepgram, [
      results('the router'),
      final('the router is dead'),
      results('again', { start: 3.75, duration: 0.5 }),
    ]);
    expect(chunks.map((c) => [c.isFinal, c.startMs, c.endMs])).toEqual([
      [false, 2500, 3750],
      [true, 2500, 3750],
      [false, 3750, 4250],
    ]);
    expect(chunks[0]?.segmentId).toBe(chunks[1]?.segmentId);
    expect(chunks[2]?.segmentId).not.toBe(chunks[1]?.segmentId);
  });

  it('joins is_final pieces into one utterance until speech_final, showing the running text meanwhile', () => {
    const chunks = run(deepgram, [
      results('my bill', { start: 0, duration: 1, is_final: true }),
      results('is wrong', { start: 1, duration: 1 }),
      results('is wrong again', { start: 1, duration: 1.5, is_final: true, speech_final: true }),
    ]);
    expect(chunks.map((c) => [c.isFinal, c.text, c.startMs, c.endMs])).toEqual([
      [false, 'my bill', 0, 1000],
      [false, 'my bill is wrong', 0, 2000],
      [true, 'my bill is wrong again', 0, 2500],
    ]);
    expect(new Set(chunks.map((c) => c.segmentId)).size).toBe(1);
  });

  it('ends an utterance on UtteranceEnd, on flush (quiet connection or call end), and at the longest utterance', () => {
    const onEnd = run(deepgram, [
      results('hello', { is_final: true }),
      { type: 'UtteranceEnd', channel: [0, 2], last_word_end: 3.7 },
    ]);
    expect(onEnd.map((c) => [c.isFinal, c.text])).toEqual([
      [false, 'hello'],
      [true, 'hello'],
    ]);

    const ctx = newContext();
    run(deepgram, [results('still talking', { is_final: true })], ctx);
    expect(chunksFrom(deepgram.flush!(ctx)).map((c) => [c.isFinal, c.text])).toEqual([[true, 'still talking']]);
    expect(chunksFrom(deepgram.flush!(ctx))).toEqual([]);

    const long = run(deepgram, [
      results('one', { start: 0, duration: 1, is_final: true }),
      results('two', { start: MAX_UTTERANCE_MS / 1000, duration: 1, is_final: true }),
    ]);
    expect(long.at(-1)).toMatchObject({ isFinal: true, text: 'one two' });
  });

  it('keeps channels apart', () => {
    const chunks = run(deepgram, [
      results('hello'),
      results('hi there', { channel_index: [1, 2] }),
      final('hello you'),
    ]);
    expect(chunks.map((c) => c.speaker)).toEqual(['customer', 'agent', 'customer']);
    expect(chunks[0]?.segmentId).toBe(chunks[2]?.segmentId);
  });

  it('takes the speaker of mono audio from the connection stream, and the customer without one', () => {
    const mono = final('thanks for calling', { channel_index: [0, 1] });
    expect(run(deepgram, [mono], newContext({ stream: 'agent' }))[0]?.speaker).toBe('agent');
    expect(run(deepgram, [mono])[0]?.speaker).toBe('customer');
  });

  it('uses the diarized speaker on single-channel audio', () => {
    const diarized = final('thanks for calling', {
      channel_index: [0, 1],
      channel: { alternatives: [{ transcript: 'thanks for calling', words: [{ speaker: 1 }] }] },
    });
    expect(run(deepgram, [diarized])[0]?.speaker).toBe('customer');
    expect(run(deepgram, [diarized], newContext({ speakers: { 'speaker-1': 'agent' } }))[0]?.speaker).toBe('agent');
  });

  it('attributes multichannel audio by its channel, whatever diarized speaker numbers its words carry', () => {
    // Deepgram numbers speakers regardless of channel: speaker 0 on the customer's channel is not the agent.
    const diarizedOnChannel = (channel: number, speaker: number) =>
      final('you there', {
        channel_index: [channel, 2],
        start: 0,
        duration: 1,
        channel: {
          alternatives: [
            { transcript: 'you there', words: [word('you', 0, 0.2, speaker), word('there', 0.2, 0.4, speaker + 1)] },
          ],
        },
      });
    const chunks = run(deepgram, [diarizedOnChannel(0, 0), diarizedOnChannel(1, 0)]);
    expect(chunks.map((c) => [c.speaker, c.text, c.startMs, c.endMs])).toEqual([
      ['customer', 'you there', 0, 1000],
      ['agent', 'you there', 0, 1000],
    ]);
  });

  it('splits a result at each change of diarized speaker, with each turn timed by its words', () => {
    const words = [
      word('thanks', 0.5, 0.8, 0),
      word('for', 0.8, 1, 0),
      word('calling', 1, 1.4, 0),
      word('hi', 1.9, 2.1, 1),
      word('yes', 2.2, 2.5, 1),
    ];
    const chunks = run(deepgram, [
      final('thanks for calling hi yes', {
        channel_index: [0, 1],
        start: 0.5,
        duration: 2,
        channel: { alternatives: [{ transcript: 'thanks for calling hi yes', words }] },
      }),
    ]);
    expect(chunks.map((c) => [c.speaker, c.text, c.startMs, c.endMs, c.isFinal])).toEqual([
      ['agent', 'thanks for calling', 500, 1400, true],
      ['customer', 'hi yes', 1900, 2500, true],
    ]);
  });

  it('closes a partial no final took over: an empty final ends a retracted interim result', () => {
    expect(run(deepgram, [results('')])).toEqual([]);
    const chunks = run(deepgram, [results('uh'), final('')]);
    expect(chunks.map((c) => [c.text, c.isFinal])).toEqual([
      ['uh', false],
      ['', true],
    ]);
  });

  it('prefixes segment ids with the leg, so two legs of one call never share one', () => {
    const legA = run(deepgram, [final('hello')], newContext({ state: new CallAdapterState({ leg: 'customer-1' }) }));
    const legB = run(deepgram, [final('hello')], newContext({ state: new CallAdapterState({ leg: 'agent-2' }) }));
    expect(legA[0]?.segmentId).not.toBe(legB[0]?.segmentId);
  });

  it('ignores metadata and speech events, reports provider errors, unknown types and malformed results naming the field', () => {
    expect(
      run(deepgram, [{ type: 'Metadata' }, { type: 'SpeechStarted' }, { type: 'UtteranceEnd', channel: [0, 2] }]),
    ).toEqual([]);
    expect(deepgram.adapt({ type: 'Error', description: 'bad audio' }, newContext())).toEqual({
      ok: false,
      code: 'invalid_message',
      message: expect.stringContaining('bad audio'),
    });
    expect(deepgram.adapt({ type: 'Nonsense' }, newContext())).toEqual({
      ok: false,
      code: 'invalid_message',
      message: expect.stringContaining('Nonsense'),
    });
    expect(deepgram.adapt(results('x', { channel_index: [] }), newContext())).toEqual({
      ok: false,
      code: 'invalid_message',
      message: expect.stringContaining('channel_index:'),
    });
    expect(deepgram.adapt(results('x', { start: 'soon' }), newContext())).toEqual({
      ok: false,
      code: 'invalid_message',
      message: 'deepgram: start: expected number',
    });
    expect(deepgram.adapt(null, newContext()).ok).toBe(false);
  });
});

describe('deepgram adapter: partials split by speaker that the final does not keep', () => {
  it('closes the extra segments empty, so none stays open', () => {
    const partialWords = [word('hi', 0.1, 0.3, 0), word('there', 0.4, 0.6, 1)];
    const finalWords = [word('hi', 0.1, 0.3, 0), word('there', 0.4, 0.6, 0)];
    const chunks = run(deepgram, [
      results('hi there', {
        channel_index: [0, 1],
        start: 0,
        duration: 1,
        channel: { alternatives: [{ transcript: 'hi there', words: partialWords }] },
      }),
      final('hi there', {
        channel_index: [0, 1],
        start: 0,
        duration: 1,
        channel: { alternatives: [{ transcript: 'hi there', words: finalWords }] },
      }),
    ]);
    expect(chunks.map((c) => [c.speaker, c.text, c.isFinal])).toEqual([
      ['agent', 'hi', false],
      ['customer', 'there', false],
      ['agent', 'hi there', true],
      ['customer', '', true],
    ]);
    expect(chunks[3]?.segmentId).toBe(chunks[1]?.segmentId);
  });
});
