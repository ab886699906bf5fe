import { describe, expect, it } from 'vitest';
import type { TranscriptChunk } from '../../src/protocol/transcript-chunk.js';
import { CallTranscript } from '../../src/transcript/call-transcript.js';

const options = { contextTurns: 2, maxOpenSegments: 2, maxClosedSegments: 3, partialMinGrowth: 5 };
const chunk = (
  segmentId: string,
  seq: number,
  text: string,
  isFinal = false,
  speaker: 'customer' | 'agent' = 'customer',
): TranscriptChunk => ({
  callId: 'c',
  segmentId,
  seq,
  speaker,
  isFinal,
  text,
  startMs: 0,
  endMs: 10,
});

describe('CallTranscript', () => {
  it('classifies a partial only once it has grown or been rewritten', () => {
    const t = new CallTranscript(options);
    expect(t.accept(chunk('a', 1, 'you')).kind).toBe('partial-unchanged');
    expect(t.accept(chunk('a', 2, 'you are a')).kind).toBe('partial');
    expect(t.accept(chunk('a', 3, 'you are a u')).kind).toBe('partial-unchanged');
    expect(t.accept(chunk('a', 4, 'you are a useless')).kind).toBe('partial');
    expect(t.accept(chunk('a', 5, 'we can fix it')).kind).toBe('partial');
  });

  it('drops stale revisions and duplicates, and a final always wins', () => {
    const t = new CallTranscript(options);
    t.accept(chunk('a', 5, 'hello there'));
    expect(t.accept(chunk('a', 5, 'hello there')).kind).toBe('duplicate');
    expect(t.accept(chunk('a', 4, 'hello')).kind).toBe('stale');
    expect(t.isLatest('a', 5)).toBe(true);
    expect(t.accept(chunk('a', 3, 'hello there friend', true)).kind).toBe('final');
    expect(t.isLatest('a', 5)).toBe(false);
    expect(t.accept(chunk('a', 3, 'hello there friend', true)).kind).toBe('duplicate');
    expect(t.accept(chunk('a', 6, 'hello th')).kind).toBe('stale');
  });

  it('takes a final for a closed segment as a duplicate only when it repeats the closing seq, else as stale', () => {
    const t = new CallTranscript(options);
    expect(t.accept(chunk('seg-1', 2, 'this stupid router has been dead all week', true)).kind).toBe('final');
    expect(t.accept(chunk('seg-1', 1, 'this stupid', true)).kind).toBe('stale');
    expect(t.accept(chunk('seg-1', 9, 'this stupid router again', true)).kind).toBe('stale');
    expect(t.accept(chunk('seg-1', 2, 'this stupid router has been dead all week', true)).kind).toBe('duplicate');
  });

  it("gives each final the customer's earlier turns as context, bounded", () => {
    const t = new CallTranscript(options);
    t.accept(chunk('1', 1, 'first', true));
    t.accept(chunk('2', 2, 'agent words', true, 'agent'));
    t.accept(chunk('3', 3, 'second', true));
    t.accept(chunk('4', 4, 'third', true));
    const last = t.accept(chunk('5', 5, 'fourth', true));
    expect(last).toMatchObject({ kind: 'final', context: ['second', 'third'] });
  });

  it('keeps open and closed segments bounded', () => {
    const t = new CallTranscript(options);
    for (const id of ['a', 'b', 'c']) t.accept(chunk(id, 1, 'some words here'));
    expect(t.isLatest('a', 1)).toBe(false);
    expect(t.isLatest('c', 1)).toBe(true);
    for (const [i, id] of ['w', 'x', 'y', 'z'].entries()) t.accept(chunk(id, 10 + i, 'done', true));
    // 'w' has been forgotten, so a late repeat of it is taken as new.
    expect(t.accept(chunk('w', 10, 'done', true)).kind).toBe('final');
    expect(t.accept(chunk('z', 13, 'done', true)).kind).toBe('duplicate');
  });
});
