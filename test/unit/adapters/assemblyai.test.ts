import { describe, expect, it } from 'vitest';
import { assemblyAi } from '../../../src/adapters/assemblyai.js';
import { newContext, run } from './context.js';

const turn = (transcript: string, extra: Record<string, unknown> = {}) => ({
  type: 'Turn',
  turn_order: 0,
  end_of_turn: false,
  transcript,
  words: [{ start: 1920, end: 2000, text: 'hi' }, { start: 2800, end: 2880, text: 'there' }],
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
    const chunks = run(assemblyAi, [turn('hi there', { end_of_turn: true }), turn('Hi there.', { end_of_turn: true, turn_is_formatted: true })], ctx);
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
    const legacy = (message_type: string, text: string) => ({ message_type, audio_start: 100, audio_end: 900, text, created: '2024-01-01T00:00:00Z' });
    const chunks = run(assemblyAi, [legacy('PartialTranscript', 'my'), legacy('FinalTranscript', 'My order.'), legacy('PartialTranscript', 'where')], newContext({ stream: 'customer' }));
    expect(chunks.map((c) => [c.isFinal, c.text])).toEqual([[false, 'my'], [true, 'My order.'], [false, 'where']]);
    expect(chunks[1]?.segmentId).not.toBe(chunks[2]?.segmentId);
  });

  it('ignores session messages and empty first partials', () => {
    const messages = [{ type: 'Begin', id: 'x' }, turn('', { words: [] }), { message_type: 'SessionBegins' }, { type: 'Termination' }];
    expect(run(assemblyAi, messages, newContext({ stream: 'customer' }))).toEqual([]);
  });

  it('needs a stream to know the speaker, and reports errors and unknown messages', () => {
    expect(assemblyAi.adapt(turn('hi'), newContext())).toEqual({ ok: false, error: expect.stringContaining('"default"') });
    expect(assemblyAi.adapt({ error: 'Session expired' }, newContext()).ok).toBe(false);
    expect(assemblyAi.adapt({ type: 'Mystery' }, newContext()).ok).toBe(false);
    expect(assemblyAi.adapt(turn('hi', { turn_order: 'one' }), newContext({ stream: 'agent' })).ok).toBe(false);
  });
});
