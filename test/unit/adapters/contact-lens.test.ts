import { describe, expect, it } from 'vitest';
import { contactLens } from '../../../src/adapters/contact-lens.js';
import { newContext, run } from './context.js';

const span = { ParticipantRole: 'CUSTOMER', BeginOffsetMillis: 500, EndOffsetMillis: 1500 };
const utterance = (text: string, extra = {}) => ({ EventType: 'SEGMENTS', Segments: [{ Utterance: { Id: 'u', TranscriptId: 't1', PartialContent: text, ...span, ...extra } }] });
const transcript = (text: string, extra = {}) => ({ EventType: 'SEGMENTS', Segments: [{ Transcript: { Id: 't1', Content: text, ...span, ...extra } }] });

describe('contact-lens adapter', () => {
  it('treats utterances as partials of the transcript they belong to', () => {
    const chunks = run(contactLens, [utterance('my bill'), transcript('my bill is wrong', { EndOffsetMillis: 2100 })]);
    expect(chunks.map((c) => [c.segmentId, c.isFinal, c.text, c.startMs, c.endMs, c.speaker])).toEqual([
      ['t1', false, 'my bill', 500, 1500, 'customer'],
      ['t1', true, 'my bill is wrong', 500, 2100, 'customer'],
    ]);
  });

  it('ignores session lifecycle events, category segments and system prompts', () => {
    const messages = [
      { EventType: 'STARTED' },
      { EventType: 'SEGMENTS', Segments: [{ Categories: { MatchedCategories: [] } }] },
      transcript('press one for billing', { ParticipantRole: 'SYSTEM' }),
      { EventType: 'COMPLETED' },
    ];
    expect(run(contactLens, messages)).toEqual([]);
  });

  it('accepts an API response without EventType', () => {
    expect(run(contactLens, [{ Segments: [{ Transcript: { Id: 'x', Content: 'hi', ...span } }] }])).toHaveLength(1);
  });

  it('drops utterances that arrive after their transcript', () => {
    expect(run(contactLens, [transcript('done'), utterance('do')])).toHaveLength(1);
  });

  it('reports unknown participant roles and malformed segments', () => {
    expect(contactLens.adapt(transcript('hi', { ParticipantRole: 'ROBOT' }), newContext()).ok).toBe(false);
    expect(contactLens.adapt({ EventType: 'SEGMENTS' }, newContext())).toEqual({ ok: false, error: expect.stringContaining('Segments') });
    expect(contactLens.adapt(transcript('hi', { BeginOffsetMillis: -1 }), newContext()).ok).toBe(false);
  });
});
