import { describe, expect, it } from 'vitest';
import { contactLens } from '../../../src/adapters/contact-lens.js';
import { deepgram } from '../../../src/adapters/deepgram.js';
import { BoundedMap, BoundedSet } from '../../../src/bounded.js';
import { CallStart } from '../../../src/protocol/ingest-messages.js';
import { MAX_TEXT_CHARS } from '../../../src/protocol/transcript-chunk.js';
import { validator } from '../../../src/protocol/validator.js';
import { parseProviderQuery } from '../../../src/routes/ingest-query.js';
import { newContext, run } from './context.js';

const transcript = (id: string, text: string, role = 'CUSTOMER', begin = 0) => ({
  EventType: 'SEGMENTS',
  Segments: [
    {
      Transcript: {
        Id: id,
        Content: text,
        ParticipantRole: role,
        BeginOffsetMillis: begin,
        EndOffsetMillis: begin + 1000,
      },
    },
  ],
});

describe('what one provider connection can make the service hold or do', () => {
  it('finishes an utterance before a piece would make it too long for one chunk, losing no words', () => {
    const pieces = ['a', 'b', 'c'].map((letter) => letter.repeat(1500));
    const chunks = run(contactLens, [
      ...pieces.map((text, i) => transcript(`t${i}`, text, 'CUSTOMER', i * 1000)),
      { EventType: 'COMPLETED' },
    ]);
    const finals = chunks.filter((chunk) => chunk.isFinal).map((chunk) => chunk.text);
    expect(finals).toEqual([`${pieces[0]} ${pieces[1]}`, pieces[2]]);
    expect(Math.max(...finals.map((text) => text.length))).toBeLessThanOrEqual(MAX_TEXT_CHARS);
  });

  it('joins Deepgram is_final pieces only while the utterance fits one chunk', () => {
    const piece = (letter: string, start: number) => ({
      type: 'Results',
      channel_index: [0, 1],
      start,
      duration: 1,
      is_final: true,
      channel: { alternatives: [{ transcript: letter.repeat(1500), words: [] }] },
    });
    const chunks = run(deepgram, [
      piece('a', 0),
      piece('b', 1),
      piece('c', 2),
      { type: 'UtteranceEnd', channel: [0, 1] },
    ]);
    expect(chunks.filter((chunk) => chunk.isFinal).map((chunk) => chunk.text.length)).toEqual([3001, 1500]);
  });

  it('refuses a result whose words change speaker more often than any speech does, naming the field', () => {
    const words = Array.from({ length: 100 }, (_, i) => ({
      word: 'w',
      start: i / 10,
      end: i / 10 + 0.1,
      speaker: i % 2,
    }));
    const result = deepgram.adapt(
      {
        type: 'Results',
        channel_index: [0, 1],
        start: 0,
        duration: 10,
        is_final: true,
        speech_final: true,
        channel: { alternatives: [{ transcript: 'w '.repeat(100).trim(), words }] },
      },
      newContext(),
    );
    expect(result).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^deepgram: words: .*99 times; at most 31/),
    });
  });

  it('maps a source named like an object property only when the call maps it', () => {
    const unmapped = contactLens.adapt(transcript('t1', 'hello', 'constructor'), newContext());
    expect(unmapped).toMatchObject({
      ok: false,
      message: expect.stringContaining('no speaker mapping for source "constructor"'),
    });
    const query = parseProviderQuery({ callId: 'c1', agentId: 'a1', speakers: '__proto__:agent' });
    if (!query.ok) throw new Error(query.message);
    const ctx = newContext({ speakers: query.params.speakers });
    const chunks = run(contactLens, [transcript('t1', 'hello', '__proto__'), { EventType: 'COMPLETED' }], ctx);
    expect(chunks.map((chunk) => chunk.speaker)).toEqual(['agent']);
  });

  it('refuses call.start metadata whose key is longer than 64 characters', () => {
    const check = validator(CallStart);
    const start = (key: string) => ({ type: 'call.start', callId: 'c1', agentId: 'a1', metadata: { [key]: 'x' } });
    expect(check(start('crm'))).toMatchObject({ ok: true });
    expect(check(start('k'.repeat(65)))).toMatchObject({ ok: false, message: expect.stringContaining('metadata') });
  });
});

describe('bounded collections', () => {
  it('forget the oldest entry beyond their size, by first insertion', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1).set('b', 2).set('a', 3).set('c', 4);
    expect([...map]).toEqual([
      ['b', 2],
      ['c', 4],
    ]);
    const set = new BoundedSet<number>(2);
    set.add(1).add(2).add(3);
    expect([...set]).toEqual([2, 3]);
  });
});
