import { describe, expect, it } from 'vitest';
import { CallAdapterState } from '../../../src/adapters/call-state.js';
import { twilio } from '../../../src/adapters/twilio.js';
import { newContext, run } from './context.js';

const ORIGIN = Date.UTC(2025, 0, 6, 9, 0, 0);
const content = (transcript: string, sequence: number, atMs: number, extra: Record<string, string> = {}) => ({
  TranscriptionEvent: 'transcription-content',
  TranscriptionSid: 'GT1',
  Track: 'inbound_track',
  Final: 'false',
  SequenceId: String(sequence),
  TranscriptionData: JSON.stringify({ transcript, confidence: 0.9 }),
  Timestamp: new Date(ORIGIN + atMs).toISOString(),
  ...extra,
});

describe('twilio adapter', () => {
  it('times chunks from the webhook timestamp relative to the call origin', () => {
    const ctx = newContext({ state: new CallAdapterState({ originMs: ORIGIN }) });
    const chunks = run(
      twilio,
      [content('i want', 1, 1500), content('i want a refund', 2, 2400, { Final: 'true' }), content('now', 3, 3600)],
      ctx,
    );
    expect(chunks.map((c) => [c.isFinal, c.startMs, c.endMs, c.speaker])).toEqual([
      [false, 0, 1500, 'customer'],
      [true, 0, 2400, 'customer'],
      [false, 2400, 3600, 'customer'],
    ]);
    expect(chunks[0]?.segmentId).toBe(chunks[1]?.segmentId);
  });

  it('takes the first timestamp as the origin when none is known', () => {
    const chunks = run(twilio, [content('hello', 1, 5000), content('hello there', 2, 5800)]);
    expect(chunks.map((c) => c.endMs)).toEqual([0, 800]);
  });

  it('counts from the transcription-started timestamp when it comes first', () => {
    const started = { TranscriptionEvent: 'transcription-started', Timestamp: new Date(ORIGIN + 1000).toISOString() };
    const chunks = run(twilio, [started, content('hello', 1, 5000)]);
    expect(chunks.map((c) => c.endMs)).toEqual([4000]);
  });

  it('drops retried or late webhooks by SequenceId', () => {
    const chunks = run(twilio, [
      content('refund', 1, 100),
      content('refund please', 2, 900, { Final: 'true' }),
      content('refund', 1, 100),
      content('refund please', 2, 900, { Final: 'true' }),
    ]);
    expect(chunks).toHaveLength(2);
  });

  it('maps tracks with per-call overrides', () => {
    expect(run(twilio, [content('hi', 1, 0, { Track: 'outbound_track' })])[0]?.speaker).toBe('agent');
    expect(run(twilio, [content('hi', 1, 0)], newContext({ speakers: { inbound_track: 'agent' } }))[0]?.speaker).toBe(
      'agent',
    );
  });

  it('ignores lifecycle events and reports errors, bad data and unknown events', () => {
    expect(
      run(twilio, [{ TranscriptionEvent: 'transcription-started' }, { TranscriptionEvent: 'transcription-stopped' }]),
    ).toEqual([]);
    expect(
      twilio.adapt({ TranscriptionEvent: 'transcription-error', TranscriptionError: 'engine down' }, newContext()),
    ).toEqual({ ok: false, code: 'invalid_message', message: expect.stringContaining('engine down') });
    expect(twilio.adapt(content('hi', 1, 0, { TranscriptionData: '{not json' }), newContext())).toEqual({
      ok: false,
      code: 'invalid_message',
      message: expect.stringContaining('TranscriptionData'),
    });
    expect(twilio.adapt(content('hi', 1, 0, { Timestamp: 'yesterday' }), newContext()).ok).toBe(false);
    expect(twilio.adapt(content('hi', 1, 0, { Final: 'maybe' }), newContext()).ok).toBe(false);
    expect(twilio.adapt({ TranscriptionEvent: 'transcription-party' }, newContext()).ok).toBe(false);
  });
});
