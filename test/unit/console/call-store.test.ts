import { describe, expect, it } from 'vitest';
import { CallStore, KEPT_ENDED_CALLS, type StoreChange } from '../../../src/console/page/call-store.js';
import type { Cue, LadderStep } from '../../../src/protocol/cue.js';
import type { CallSummary } from '../../../src/protocol/subscribe-messages.js';

const summary = (lastSeq: number, step: LadderStep, extra: Partial<CallSummary> = {}): CallSummary => ({
  callId: 'c1',
  agentId: 'a1',
  teamId: 't1',
  epoch: 'e1',
  lastSeq,
  step,
  ended: false,
  ...extra,
});

const cue = (seq: number, step: LadderStep, evidenceText?: string, epoch = 'e1'): Cue => ({
  id: `cue-${seq}`,
  seq,
  epoch,
  callId: 'c1',
  agentId: 'a1',
  teamId: 't1',
  type: 'set-limit',
  severity: 'notice',
  step,
  script: 'say it calmly',
  evidence: evidenceText
    ? [
        {
          utteranceId: `seg-${seq}`,
          speaker: 'customer',
          text: evidenceText,
          label: 'abusive',
          scores: { neutral: 0, venting: 0, abusive: 1, threat: 0 },
          spans: [],
          startMs: seq * 1000,
          endMs: seq * 1000 + 500,
        },
      ]
    : [],
  emittedAt: 0,
});

function store() {
  const changes: StoreChange[] = [];
  return { store: new CallStore((change) => changes.push(change)), changes };
}

/** Calls `${prefix}0`, `${prefix}1`, … that start and end without a cue. */
function startAndEnd(s: CallStore, count: number, prefix = 'ended-'): void {
  for (let i = 0; i < count; i++) {
    const callId = `${prefix}${i}`;
    s.apply({ type: 'call', event: 'started', call: summary(0, 'listen', { callId }) });
    s.apply({ type: 'call', event: 'ended', call: summary(0, 'listen', { callId, ended: true }) });
  }
}

const droppedIds = (changes: StoreChange[]): string[] =>
  changes.filter((c) => c.kind === 'dropped').map((c) => c.call.callId);

describe('the console’s call store', () => {
  it('takes each cue once, whatever order a replacing subscription delivers them in', () => {
    const { store: s, changes } = store();
    s.apply({ type: 'cue', cue: cue(3, 'warning') });
    s.apply({ type: 'cue', cue: cue(1, 'limit') });
    s.apply({ type: 'cue', cue: cue(3, 'warning') });
    expect(changes.filter((c) => c.kind === 'cue')).toHaveLength(2);
    expect(s.current()).toMatchObject({ step: 'warning', cue: { seq: 3 } });
    expect(s.resumePoints()).toEqual({ c1: { epoch: 'e1', seq: 3 } });
  });

  it('after the service restarts, takes the call’s new numbering: a new 1: safety-alert is shown, not dropped as seen', () => {
    const { store: s } = store();
    for (const [seq, step] of [
      [1, 'limit'],
      [2, 'warning'],
      [3, 'transfer'],
    ] as const)
      s.apply({ type: 'cue', cue: cue(seq, step) });
    s.apply({ type: 'cue', cue: { ...cue(1, 'safety', undefined, 'e2'), type: 'safety-alert', severity: 'critical' } });
    expect(s.current()).toMatchObject({ step: 'safety', cue: { seq: 1, type: 'safety-alert', epoch: 'e2' } });
    expect(s.resumePoints()).toEqual({ c1: { epoch: 'e2', seq: 1 } });
    // The old epoch's seq 2 is not "seen" in the new one.
    s.apply({ type: 'cue', cue: cue(2, 'safety', undefined, 'e2') });
    expect(s.current()?.cue?.seq).toBe(2);
  });

  it('a reset from the service forgets the seqs of the old numbering', () => {
    const { store: s } = store();
    s.apply({ type: 'cue', cue: cue(5, 'warning') });
    s.apply({ type: 'reset', callId: 'c1', epoch: 'e2' });
    expect(s.current()).toMatchObject({ cue: undefined, step: 'warning' });
    expect(s.resumePoints()).toEqual({ c1: { epoch: 'e2', seq: 0 } });
  });

  it('keeps a step the agent took after a cue, even when older cues are replayed later', () => {
    const { store: s } = store();
    s.apply({ type: 'cue', cue: cue(2, 'limit') });
    s.apply({ type: 'call', event: 'moved', call: summary(2, 'transfer') });
    s.apply({ type: 'cue', cue: cue(1, 'limit') });
    expect(s.current()?.step).toBe('transfer');
    s.apply({ type: 'cue', cue: cue(3, 'release') });
    expect(s.current()?.step).toBe('release');
  });

  it('fills the transcript from cue evidence without replacing what the live transcript said', () => {
    const { store: s } = store();
    s.applySummaries([summary(0, 'listen')]);
    s.apply({
      type: 'transcript',
      callId: 'c1',
      segmentId: 'seg-1',
      speaker: 'customer',
      isFinal: true,
      text: 'live final',
      startMs: 1000,
      endMs: 1500,
      label: 'abusive',
    });
    s.apply({
      type: 'transcript',
      callId: 'c1',
      segmentId: 'seg-1',
      speaker: 'customer',
      isFinal: false,
      text: 'late partial',
      startMs: 1000,
      endMs: 1200,
    });
    s.apply({ type: 'cue', cue: cue(1, 'limit', 'evidence text') });
    s.apply({ type: 'cue', cue: cue(2, 'warning', 'said before the page connected') });
    expect([...s.current()!.lines.values()].map((line) => [line.segmentId, line.text, line.isFinal])).toEqual([
      ['seg-1', 'live final', true],
      ['seg-2', 'said before the page connected', true],
    ]);
  });

  it('leaves out calls that had ended before the page saw them, and shows an agent their newest live call', () => {
    const { store: s, changes } = store();
    s.applySummaries([
      summary(4, 'release', { callId: 'old', ended: true }),
      summary(0, 'listen', { callId: 'first' }),
      summary(1, 'limit', { callId: 'second' }),
    ]);
    expect(changes.map((c) => c.call.callId)).toEqual(['first', 'second']);
    expect(Object.keys(s.resumePoints())).toEqual(['first', 'second']);
    expect(s.current()?.callId).toBe('second');
    s.apply({ type: 'call', event: 'ended', call: summary(1, 'limit', { callId: 'second', ended: true }) });
    expect(s.current()?.callId).toBe('first');
  });

  it('records who took an alert once, and only for a call it knows', () => {
    const { store: s, changes } = store();
    const claim = { type: 'alert.claimed', callId: 'c1', seq: 2, by: 'lead', at: 0 } as const;
    s.apply(claim);
    expect(changes).toEqual([]);
    s.apply({ type: 'cue', cue: cue(2, 'safety') });
    s.apply(claim);
    s.apply({ ...claim, by: 'someone else' });
    expect(changes.filter((c) => c.kind === 'claim').map((c) => c.kind === 'claim' && c.claim.by)).toEqual(['lead']);
    expect(s.current()?.claims.get(2)?.by).toBe('lead');
  });
});

describe('the console’s call store across a reconnect', () => {
  it('keeps a call with cues that started and ended while the page was away, and resumes only calls with cues to come', () => {
    const { store: s } = store();
    s.applySummaries([summary(1, 'limit', { callId: 'seen' })]);
    s.apply({ type: 'cue', cue: { ...cue(1, 'limit'), callId: 'seen' } });
    s.apply({ type: 'call', event: 'ended', call: summary(1, 'limit', { callId: 'seen', ended: true }) });
    s.applySummaries(
      [
        summary(2, 'safety', { callId: 'short-threat', ended: true }),
        summary(0, 'listen', { callId: 'quiet', ended: true }),
      ],
      true,
    );
    // The call read to its end needs nothing more; the one that ended away is read back from its start.
    expect(s.resumePoints()).toEqual({ 'short-threat': { epoch: 'e1', seq: 0 } });
    s.apply({ type: 'cue', cue: { ...cue(1, 'limit'), callId: 'short-threat' } });
    s.apply({ type: 'cue', cue: { ...cue(2, 'safety'), callId: 'short-threat' } });
    expect(s.resumePoints()).toEqual({});
  });
});

describe('the console’s call store over a long shift', () => {
  it('keeps the live calls and the newest ended ones, letting the calls that ended first go', () => {
    const { store: s, changes } = store();
    s.applySummaries([summary(0, 'listen', { callId: 'live' })]);
    startAndEnd(s, KEPT_ENDED_CALLS + 2);
    expect(droppedIds(changes)).toEqual(['ended-0', 'ended-1']);
    expect(s.current()?.callId).toBe('live');
    s.apply({ type: 'call', event: 'ended', call: summary(0, 'listen', { callId: 'live', ended: true }) });
    // It ended last, so it is the newest ended call: one that ended before it goes instead.
    expect(droppedIds(changes)).toEqual(['ended-0', 'ended-1', 'ended-2']);
  });

  it('keeps an ended call until its safety alert is taken and its cues are read back', () => {
    const { store: s, changes } = store();
    const alert: Cue = { ...cue(1, 'safety'), callId: 'threat', type: 'safety-alert', severity: 'critical' };
    s.apply({ type: 'cue', cue: alert });
    s.apply({ type: 'call', event: 'ended', call: summary(1, 'safety', { callId: 'threat', ended: true }) });
    // Ended while the page was away: its two cues are still to come.
    s.applySummaries([summary(2, 'limit', { callId: 'away', ended: true })], true);
    startAndEnd(s, KEPT_ENDED_CALLS);
    expect(droppedIds(changes)).toEqual(['ended-0', 'ended-1']);

    s.apply({ type: 'alert.claimed', callId: 'threat', seq: 1, by: 'lead', at: 0 });
    for (const seq of [1, 2]) s.apply({ type: 'cue', cue: { ...cue(seq, 'limit'), callId: 'away' } });
    startAndEnd(s, 2, 'later-');
    expect(droppedIds(changes)).toEqual(['ended-0', 'ended-1', 'threat', 'away']);
  });

  it('does not read back a call it let go of after a reconnect, nor bring it back on a late cue', () => {
    const { store: s, changes } = store();
    s.apply({ type: 'cue', cue: { ...cue(1, 'limit'), callId: 'first' } });
    s.apply({ type: 'call', event: 'ended', call: summary(1, 'limit', { callId: 'first', ended: true }) });
    startAndEnd(s, KEPT_ENDED_CALLS);
    expect(droppedIds(changes)).toEqual(['first']);

    changes.length = 0;
    s.applySummaries([summary(1, 'limit', { callId: 'first', ended: true })], true);
    s.apply({ type: 'cue', cue: { ...cue(1, 'limit'), callId: 'first' } });
    expect(changes).toEqual([]);
    expect(s.resumePoints()).toEqual({});
    // Numbered afresh and ended while the page was away, it is another run of the call: that is read back.
    s.applySummaries([summary(1, 'safety', { callId: 'first', epoch: 'e2', ended: true })], true);
    expect(s.resumePoints()).toEqual({ first: { epoch: 'e2', seq: 0 } });
  });
});
