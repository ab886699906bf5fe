import { describe, expect, it } from 'vitest';
import { ADAPTERS, adapterFor, DEFAULT_FORMAT } from '../../../src/adapters/index.js';
import { newContext } from './context.js';

const chunk = {
  callId: 'call-1',
  segmentId: 's1',
  seq: 7,
  speaker: 'customer',
  isFinal: true,
  text: 'hi',
  startMs: 0,
  endMs: 400,
};

describe('adapter registry', () => {
  it('defaults to the service format, which passes valid chunks through unchanged', () => {
    const adapter = adapterFor(undefined);
    expect(adapter?.name).toBe(DEFAULT_FORMAT);
    expect(adapter?.adapt(chunk, newContext())).toEqual({ ok: true, chunks: [chunk] });
    expect(adapter?.adapt({ ...chunk, speaker: 'bot' }, newContext()).ok).toBe(false);
  });

  it('knows every provider and nothing else', () => {
    expect([...ADAPTERS.keys()].sort()).toEqual([
      'amazon-transcribe',
      'assemblyai',
      'contact-lens',
      'deepgram',
      'google-stt',
      'native',
      'twilio',
    ]);
    expect(adapterFor('vosk')).toBeUndefined();
  });

  it('never throws on junk input', () => {
    for (const adapter of ADAPTERS.values()) {
      for (const junk of [undefined, null, 42, 'text', [], {}, { type: 'Results' }]) {
        expect(() => adapter.adapt(junk, newContext({ stream: 'customer' }))).not.toThrow();
      }
    }
  });
});
