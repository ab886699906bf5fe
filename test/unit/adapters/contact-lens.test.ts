import { describe, expect, it } from 'vitest';
import { contactLens, JOIN_GAP_MS } from '../../../src/adapters/contact-lens.js';
import { chunksFrom, newContext, run } from './context.js';

const span = (role = 'CUSTOMER', begin = 500, end = 1500) => ({
  ParticipantRole: role,
  BeginOffsetMillis: begin,
  EndOffsetMillis: end,
});
const utterance = (id: string, transcriptId: string, text: string, extra = {}) => ({
  EventType: 'SEGMENTS',
  Segments: [{ Utterance: { Id: id, TranscriptId: transcriptId, PartialContent: text, ...span(), ...extra } }],
});
const transcript = (id: string, text: string, extra = {}) => ({
  EventType: 'SEGMENTS',
  Segments: [{ Transcript: { Id: id, Content: text, ...span(), ...extra } }],
});
const completed = { EventType: 'COMPLETED' };

describe('contact-lens adapter', () => {
  it('shows utterance fragments of a transcript as its running text, and its transcript as the final', () => {
    const chunks = run(contactLens, [
      utterance('u1', 't1', 'my bill'),
      utterance('u2', 't1', 'is wrong', { EndOffsetMillis: 1900 }),
      transcript('t1', 'my bill is wrong', { EndOffsetMillis: 2100 }),
      completed,
    ]);
    expect(chunks.map((c) => [c.isFinal, c.text, c.startMs, c.endMs, c.speaker])).toEqual([
      [false, 'my bill', 500, 1500, 'customer'],
      [false, 'my bill is wrong', 500, 1900, 'customer'],
      [true, 'my bill is wrong', 500, 2100, 'customer'],
    ]);
    expect(new Set(chunks.map((c) => c.segmentId)).size).toBe(1);
  });

  it('reads a fragment that repeats the text so far as the whole partial', () => {
    const chunks = run(contactLens, [utterance('u1', 't1', 'my'), utterance('u2', 't1', 'my bill')]);
    expect(chunks.map((c) => c.text)).toEqual(['my', 'my bill']);
  });

  it("joins a participant's transcripts into one utterance until another participant speaks", () => {
    const chunks = run(contactLens, [
      transcript('t1', 'i have been waiting', span('CUSTOMER', 0, 1000)),
      transcript('t2', 'for an hour', span('CUSTOMER', 1000 + JOIN_GAP_MS, 2000)),
      transcript('t3', 'i am sorry to hear that', span('AGENT', 2300, 3300)),
      completed,
    ]);
    expect(chunks.map((c) => [c.speaker, c.isFinal, c.text, c.startMs, c.endMs])).toEqual([
      ['customer', true, 'i have been waiting for an hour', 0, 2000],
      ['agent', true, 'i am sorry to hear that', 2300, 3300],
    ]);
  });

  it('ends the utterance at a pause longer than the join gap, and on flush', () => {
    const ctx = newContext();
    const chunks = run(
      contactLens,
      [
        transcript('t1', 'hello', span('CUSTOMER', 0, 500)),
        transcript('t2', 'anyone there', span('CUSTOMER', 500 + JOIN_GAP_MS + 1, 1500)),
      ],
      ctx,
    );
    expect(chunks.map((c) => [c.isFinal, c.text])).toEqual([[true, 'hello']]);
    expect(chunksFrom(contactLens.flush!(ctx)).map((c) => [c.isFinal, c.text])).toEqual([[true, 'anyone there']]);
  });

  it('ignores session lifecycle events, category segments and system prompts', () => {
    const messages = [
      { EventType: 'STARTED' },
      { EventType: 'SEGMENTS', Segments: [{ Categories: { MatchedCategories: [] } }] },
      transcript('t9', 'press one for billing', { ParticipantRole: 'SYSTEM' }),
      completed,
    ];
    expect(run(contactLens, messages)).toEqual([]);
  });

  it('accepts an API response without EventType', () => {
    const ctx = newContext();
    run(contactLens, [{ Segments: [{ Transcript: { Id: 'x', Content: 'hi', ...span() } }] }], ctx);
    expect(chunksFrom(contactLens.flush!(ctx))).toHaveLength(1);
  });

  it('reports a repeated transcript id and an utterance after its transcript as dropped, not silently', () => {
    const ctx = newContext();
    run(contactLens, [transcript('t1', 'done')], ctx);
    expect(contactLens.adapt(utterance('u1', 't1', 'do'), ctx)).toEqual({
      ok: true,
      chunks: [],
      dropped: ['closed_segment'],
    });
    expect(contactLens.adapt(transcript('t1', 'done'), ctx)).toEqual({
      ok: true,
      chunks: [],
      dropped: ['closed_segment'],
    });
  });

  it('reports unknown participant roles and malformed segments naming the field', () => {
    expect(contactLens.adapt(transcript('t1', 'hi', { ParticipantRole: 'ROBOT' }), newContext())).toEqual({
      ok: false,
      code: 'invalid_message',
      message: expect.stringContaining('ROBOT'),
    });
    expect(contactLens.adapt({ EventType: 'SEGMENTS' }, newContext())).toEqual({
      ok: false,
      code: 'invalid_message',
      message: expect.stringContaining('Segments'),
    });
    expect(contactLens.adapt(transcript('t1', 'hi', { BeginOffsetMillis: -1 }), newContext())).toEqual({
      ok: false,
      code: 'invalid_message',
      message: expect.stringContaining('Segments[0].Transcript.BeginOffsetMillis'),
    });
  });
});
