import { describe, expect, it } from 'vitest';
import { assemblyAi } from '../../../src/adapters/assemblyai.js';
import { newContext, run } from './context.js';

const turn = (transcript: string, extra: Record<string, unknown> = {}) => ({
  type: 'Turn',
  turn_order: 0,
  end_of_turn: false,
  transcript,
  words: [
    { start: 1920, end: 2000, text: 'hi' },
    { start: 2800, end: 2880, text: 'there' },
  ],
  ...extra,
});

describe('assemblyai adapter', () => {
  it('keeps a v3 turn as one segment, timed by its words, attributed by the connection stream', () => {
    const ctx = newContext({ stream: 'agent' });
    const chunks = run(assemblyAi, [turn('hi'), turn('hi there', { end_of_turn: true })], ctx);
    expect(chunks.map((c) => [c.speaker, c.isFinal, c.startMs, c.endMs])).toEqual([
      ['agent', false, 1920, 2880],
      ['agent', true, 1920, 2880],
    ]);
    expect(chunks[0]?.segmentId).toBe(chunks[1]?.segmentId);
  });

  it('drops the formatted re-send of a turn that already ended', () => {
    const ctx = newContext({ stream: 'customer' });
    const chunks = run(
      assemblyAi,
      [turn('hi there', { end_of_turn: true }), turn('Hi there.', { end_of_turn: true, turn_is_formatted: true })],
      ctx,
    );
    expect(chunks.map((c) => c.text)).toEqual(['hi there']);
  });

  it('keeps the same turn number on two streams apart', () => {
    const ctx = newContext();
    const chunks = [
      ...run(assemblyAi, [turn('hello')], { ...ctx, stream: 'customer' }),
      ...run(assemblyAi, [turn('hi')], { ...ctx, stream: 'agent' }),
    ];
    expect(new Set(chunks.map((c) => c.segmentId)).size).toBe(2);
  });

  it('reads the older PartialTranscript and FinalTranscript messages', () => {
    const legacy = (message_type: string, text: string) => ({
      message_type,
      audio_start: 100,
      audio_end: 900,
      text,
      created: '2024-01-01T00:00:00Z',
    });
    const chunks = run(
      assemblyAi,
      [legacy('PartialTranscript', 'my'), legacy('FinalTranscript', 'My order.'), legacy('PartialTranscript', 'where')],
      newContext({ stream: 'customer' }),
    );
    expect(chunks.map((c) => [c.isFinal, c.text])).toEqual([
      [false, 'my'],
      [true, 'My order.'],
      [false, 'where'],
    ]);
    expect(chunks[1]?.segmentId).not.toBe(chunks[2]?.segmentId);
  });

  it('ignores session messages and empty first partials', () => {
    const messages = [
      { type: 'Begin', id: 'x' },
      turn('', { words: [] }),
      { message_type: 'SessionBegins' },
      { type: 'Termination' },
    ];
    expect(run(assemblyAi, messages, newContext({ stream: 'customer' }))).toEqual([]);
  });

  it('takes a single stream without a declared stream as the customer', () => {
    expect(run(assemblyAi, [turn('hi')])[0]?.speaker).toBe('customer');
  });

  it('ignores heartbeats, warnings, speaker revisions and gateway replies on purpose', () => {
    const messages = [
      { type: 'Heartbeat' },
      { type: 'Warning', warning: 'session ending soon', warning_code: 1234 },
      { type: 'SpeakerRevision', revisions: [{ turn_order: 3, speaker_label: 'B', words: [] }] },
      { type: 'LLMGatewayResponse', turn_order: 1, transcript: 'hello', data: {} },
    ];
    expect(run(assemblyAi, messages)).toEqual([]);
  });

  it("attributes a turn by its speaker label and splits it where the words' speakers change", () => {
    expect(run(assemblyAi, [turn('hello', { speaker_label: 'B', end_of_turn: true, words: [] })])[0]?.speaker).toBe(
      'customer',
    );
    const words = [
      { start: 0, end: 100, text: 'Hello', word_is_final: true, speaker: 'A' },
      { start: 110, end: 200, text: 'world', word_is_final: true, speaker: 'B' },
    ];
    const chunks = run(assemblyAi, [turn('Hello world', { end_of_turn: true, speaker_label: 'A', words })]);
    expect(chunks.map((c) => [c.speaker, c.text, c.startMs, c.endMs])).toEqual([
      ['agent', 'Hello', 0, 100],
      ['customer', 'world', 110, 200],
    ]);
  });

  it("takes a null speaker label or word speaker as none: the turn is the connection's stream", () => {
    // AssemblyAI: "the speaker_label field may be null" when the model cannot confidently assign a speaker.
    const words = [{ start: 0, end: 900, text: 'you', word_is_final: true, speaker: null }];
    const unlabelled = turn('you', { end_of_turn: true, speaker_label: null, words });
    expect(run(assemblyAi, [unlabelled], newContext({ stream: 'agent' })).map((c) => [c.speaker, c.text])).toEqual([
      ['agent', 'you'],
    ]);
    expect(run(assemblyAi, [unlabelled]).map((c) => [c.speaker, c.text, c.startMs, c.endMs])).toEqual([
      ['customer', 'you', 0, 900],
    ]);
    expect(assemblyAi.adapt(turn('you', { speaker_label: 7 }), newContext())).toMatchObject({
      ok: false,
      message: expect.stringContaining('speaker_label: expected string or null'),
    });
  });

  it('times a partial by the words its transcript holds, not by words still being heard', () => {
    const words = [
      { start: 1440, end: 1520, text: 'hi', word_is_final: true },
      { start: 1600, end: 1680, text: 'my', word_is_final: true },
      { start: 1600, end: 1900, text: 'name', word_is_final: false },
    ];
    expect(run(assemblyAi, [turn('hi my', { words })])[0]).toMatchObject({ text: 'hi my', startMs: 1440, endMs: 1680 });
  });

  it('reports errors and unknown messages', () => {
    expect(assemblyAi.adapt({ type: 'Error', error: 'Invalid API key', error_code: 4001 }, newContext())).toEqual({
      ok: false,
      code: 'invalid_message',
      message: expect.stringContaining('Invalid API key'),
    });
    expect(assemblyAi.adapt({ error: 'Session expired' }, newContext()).ok).toBe(false);
    expect(assemblyAi.adapt({ type: 'Mystery' }, newContext()).ok).toBe(false);
    expect(assemblyAi.adapt(turn('hi', { turn_order: 'one' }), newContext({ stream: 'agent' })).ok).toBe(false);
  });
});
