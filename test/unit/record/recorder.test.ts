import { describe, expect, it } from 'vitest';
import type { CallInfo } from '../../../src/state/call-state.js';
import type { Cue } from '../../../src/protocol/cue.js';
import type { SubscriberEvent } from '../../../src/protocol/subscribe-messages.js';
import type { RecordWrite } from '../../../src/record/incident-store.js';
import { Recorder } from '../../../src/record/recorder.js';

const info: CallInfo = { tenant: 'acme', callId: 'c1', agentId: 'a1', teamId: 't1' };
const summary = {
  callId: 'c1',
  agentId: 'a1',
  teamId: 't1',
  epoch: 'e1',
  lastSeq: 0,
  step: 'listen' as const,
  ended: false,
};
let seq = 0;
const line = (text: string): SubscriberEvent => ({
  type: 'transcript',
  callId: 'c1',
  segmentId: `s${text.length}`,
  speaker: 'customer',
  isFinal: true,
  text,
  startMs: 0,
  endMs: 1,
});
const cue = (type: Cue['type'], evidenceText = 'x'): SubscriberEvent => ({
  type: 'cue',
  cue: {
    id: `id${++seq}`,
    seq,
    epoch: 'e1',
    callId: 'c1',
    agentId: 'a1',
    type,
    severity: 'notice',
    step: 'limit',
    script: 's',
    evidence: [
      {
        utteranceId: 'u',
        speaker: 'customer',
        text: evidenceText,
        label: 'abusive',
        scores: { neutral: 0, venting: 0, abusive: 1, threat: 0 },
        spans: [],
        startMs: 0,
        endMs: 1,
      },
    ],
    emittedAt: 1000 + seq,
  } as Cue,
});

function record(events: SubscriberEvent[], contextLines = 1): RecordWrite[] {
  const writes: RecordWrite[] = [];
  const recorder = new Recorder(
    contextLines,
    (w) => writes.push(w),
    () => 500,
  );
  recorder.observe(info, { type: 'call', event: 'started', call: summary });
  for (const event of events)
    recorder.observe(info, event, event.type === 'alert.claimed' ? { claimedEpoch: 'e1' } : {});
  return writes;
}

const described = (writes: RecordWrite[]) =>
  writes.map((w) => (w.kind === 'event' ? `${w.type}:${w.type === 'line' ? (w.data.text as string) : w.key}` : w.kind));

describe('the recorder', () => {
  it('writes nothing for a call that never reaches an incident', () => {
    expect(
      record([line('hello'), cue('let-vent'), line('thanks'), { type: 'call', event: 'ended', call: summary }]),
    ).toEqual([]);
  });

  it('keeps an incident call from its first incident cue: earlier cues, the lines around each incident, and its end', () => {
    seq = 0;
    const writes = record([
      line('one'),
      cue('let-vent'),
      line('two'),
      line('three you idiot'),
      cue('set-limit'),
      line('four'),
      line('five'),
      { type: 'call', event: 'ended', call: summary },
    ]);
    expect(described(writes)).toEqual([
      'incident',
      'cue:cue:e1:1',
      'line:two',
      'line:three you idiot',
      'cue:cue:e1:2',
      'line:four',
      'ended',
    ]);
    expect(writes[0]).toMatchObject({
      kind: 'incident',
      tenant: 'acme',
      callId: 'c1',
      agentId: 'a1',
      teamId: 't1',
      cueType: 'set-limit',
    });
  });

  it('stamps a line with the time its final was received, even when the cue it raised got here first', () => {
    seq = 0;
    const writes: RecordWrite[] = [];
    const recorder = new Recorder(
      1,
      (w) => writes.push(w),
      () => 1500,
    );
    recorder.observe(info, { type: 'call', event: 'started', call: summary });
    recorder.observe(info, cue('set-limit'));
    recorder.observe(info, { ...line('you idiot'), receivedAt: 1000 } as SubscriberEvent);
    const at = (type: string) => writes.find((w) => w.kind === 'event' && w.type === type)?.at;
    expect(at('cue')).toBe(1001);
    expect(at('line')).toBe(1000);
  });

  it('masks digit runs in lines and in cue evidence', () => {
    const writes = record([
      line('card 4111 1111 1111 1111'),
      cue('safety-alert', 'i know you live at 1234 oak street'),
    ]);
    // The digit runs as written, with their neighbours: a bare '1234' can occur inside an epoch-ms timestamp.
    expect(JSON.stringify(writes)).not.toMatch(/4111 1111|1234 oak/);
    expect(JSON.stringify(writes)).toContain('#### oak street');
  });

  it('records ladder moves and alert claims once the call is an incident', () => {
    const writes = record([
      cue('safety-alert'),
      { type: 'alert.claimed', callId: 'c1', seq: 1, by: 'sup', at: 7 },
      { type: 'call', event: 'moved', call: { ...summary, step: 'transfer' } },
    ]);
    expect(
      writes.filter((w) => w.kind === 'event' && w.type !== 'cue').map((w) => w.kind === 'event' && [w.type, w.data]),
    ).toEqual([
      ['claim', { seq: 1, by: 'sup' }],
      ['step', { step: 'transfer' }],
    ]);
  });

  it('records ladder moves made before the first incident cue once one comes', () => {
    seq = 0;
    const writes = record([
      { type: 'call', event: 'moved', call: { ...summary, step: 'limit' } },
      { type: 'call', event: 'moved', call: { ...summary, step: 'warning' } },
      cue('safety-alert'),
    ]);
    expect(
      writes.filter((w) => w.kind === 'event' && w.type === 'step').map((w) => w.kind === 'event' && w.data),
    ).toEqual([{ step: 'limit' }, { step: 'warning' }]);
  });

  it('keeps an alert claim taken on an instance that does not drive the call, under the claimed alert’s epoch', () => {
    const writes: RecordWrite[] = [];
    const elsewhere = new Recorder(1, (w) => writes.push(w));
    elsewhere.observe(info, { type: 'alert.claimed', callId: 'c1', seq: 3, by: 'sup', at: 7 }, { claimedEpoch: 'e1' });
    expect(writes).toEqual([
      {
        kind: 'event',
        tenant: 'acme',
        callId: 'c1',
        epoch: 'e1',
        key: 'claim:3:7',
        at: 7,
        type: 'claim',
        data: { seq: 3, by: 'sup' },
      },
    ]);
  });

  it('goes on with the record of a call taken over after an incident, and forgets a call taken from it', () => {
    seq = 0;
    const writes: RecordWrite[] = [];
    const recorder = new Recorder(
      1,
      (w) => writes.push(w),
      () => 500,
    );
    recorder.observe(
      info,
      { type: 'call', event: 'started', call: { ...summary, lastSeq: 2 } },
      { afterIncident: true },
    );
    recorder.observe(info, cue('back-to-solving'));
    recorder.observe(info, { type: 'call', event: 'ended', call: summary });
    expect(described(writes)).toEqual(['cue:cue:e1:1', 'ended']);

    writes.length = 0;
    recorder.observe(info, { type: 'call', event: 'started', call: summary });
    recorder.forget(info);
    recorder.observe(info, cue('set-limit'));
    expect(writes).toEqual([]);
  });
});
