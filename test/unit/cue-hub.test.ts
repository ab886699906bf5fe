import { describe, expect, it } from 'vitest';
import { CueHub } from '../../src/cues/cue-hub.js';
import { ReplayBuffer } from '../../src/cues/replay-buffer.js';
import type { CueDraft } from '../../src/ladder/state.js';
import type { SubscriberEvent } from '../../src/protocol/subscribe-messages.js';

const draft: CueDraft = { type: 'set-limit', severity: 'notice', step: 'limit', script: 's', evidence: [] };
const acme = { tenant: 'acme', callId: 'c1', agentId: 'a1', teamId: 't1' };

function collector() {
  const events: SubscriberEvent[] = [];
  return {
    events,
    sink: (e: SubscriberEvent) => events.push(e),
    cueSeqs: () => events.flatMap((e) => (e.type === 'cue' ? [e.cue.seq] : [])),
  };
}

describe('ReplayBuffer', () => {
  it('keeps the newest items and says when older ones are gone', () => {
    const b = new ReplayBuffer<{ seq: number }>(3);
    for (let seq = 1; seq <= 5; seq++) b.push({ seq });
    expect(b.since(3)).toEqual({ items: [{ seq: 4 }, { seq: 5 }], missing: undefined });
    expect(b.since(2).missing).toBeUndefined();
    expect(b.since(0)).toEqual({ items: [{ seq: 3 }, { seq: 4 }, { seq: 5 }], missing: { afterSeq: 0, beforeSeq: 3 } });
    expect(b.since(5).items).toEqual([]);
  });
});

describe('CueHub', () => {
  it('numbers cues per call from 1 and fans them out by scope', () => {
    const hub = new CueHub({ replayBuffer: 10, endedCallRetention: 10, transcriptReplay: 3 });
    const byCall = collector();
    const byAgent = collector();
    const byTeam = collector();
    const otherTeam = collector();
    hub.subscribe('acme', { callId: 'c1' }, byCall.sink, { transcript: false, resume: {} });
    hub.subscribe('acme', { agentId: 'a1' }, byAgent.sink, { transcript: false, resume: {} });
    hub.subscribe('acme', { teamId: 't1' }, byTeam.sink, { transcript: false, resume: {} });
    hub.subscribe('acme', { teamId: 't2' }, otherTeam.sink, { transcript: false, resume: {} });
    const c1 = hub.openCall(acme);
    const c2 = hub.openCall({ ...acme, callId: 'c2' });
    hub.publish(c1, draft);
    hub.publish(c1, draft);
    hub.publish(c2, draft);
    expect(byCall.cueSeqs()).toEqual([1, 2]);
    expect(byAgent.cueSeqs()).toEqual([1, 2, 1]);
    expect(byTeam.cueSeqs()).toEqual([1, 2, 1]);
    expect(otherTeam.events).toEqual([]);
  });

  it('isolates tenants, even for the same call id', () => {
    const hub = new CueHub({ replayBuffer: 10, endedCallRetention: 10, transcriptReplay: 3 });
    const outsider = collector();
    hub.subscribe('globex', { tenant: true }, outsider.sink, { transcript: true, resume: {} });
    hub.publish(hub.openCall(acme), draft);
    const again = hub.subscribe('globex', { callId: 'c1' }, outsider.sink, { transcript: false, resume: { c1: 0 } });
    expect(again.replay).toEqual([]);
    expect(again.calls).toEqual([]);
    expect(outsider.events).toEqual([]);
  });

  it('replays what a subscriber missed, also for a recently ended call, and forgets old ended calls', () => {
    const hub = new CueHub({ replayBuffer: 10, endedCallRetention: 1, transcriptReplay: 3 });
    const c1 = hub.openCall(acme);
    for (let i = 0; i < 3; i++) hub.publish(c1, draft);
    hub.endCall(c1);
    const back = hub.subscribe('acme', { callId: 'c1' }, () => {}, { transcript: false, resume: { c1: 1 } });
    expect(back.replay.map((e) => (e.type === 'cue' ? e.cue.seq : -1))).toEqual([2, 3]);
    expect(back.calls).toEqual([
      { callId: 'c1', agentId: 'a1', teamId: 't1', epoch: expect.any(String), lastSeq: 3, step: 'limit', ended: true },
    ]);
    hub.endCall(hub.openCall({ ...acme, callId: 'c2' }));
    expect(hub.subscribe('acme', { callId: 'c1' }, () => {}, { transcript: false, resume: { c1: 0 } }).replay).toEqual(
      [],
    );
  });

  it('continues the numbering when a recently ended call is opened again', () => {
    const hub = new CueHub({ replayBuffer: 10, endedCallRetention: 10, transcriptReplay: 3 });
    const first = hub.openCall(acme);
    const firstCue = hub.publish(first, draft);
    hub.endCall(first);
    const again = hub.publish(hub.openCall(acme), draft);
    expect(again).toMatchObject({ seq: 2, epoch: firstCue!.epoch });
  });

  it('sends the live transcript only to subscribers that asked for it, and stops after unsubscribe', () => {
    const hub = new CueHub({ replayBuffer: 10, endedCallRetention: 10, transcriptReplay: 3 });
    const withText = collector();
    const without = collector();
    const a = hub.subscribe('acme', { callId: 'c1' }, withText.sink, { transcript: true, resume: {} });
    hub.subscribe('acme', { callId: 'c1' }, without.sink, { transcript: false, resume: {} });
    const c1 = hub.openCall(acme);
    const line = {
      type: 'transcript',
      callId: 'c1',
      segmentId: 's',
      speaker: 'customer',
      isFinal: true,
      text: 'hi',
      startMs: 0,
      endMs: 1,
    } as const;
    hub.transcript(c1, line);
    expect(withText.events.filter((e) => e.type === 'transcript')).toHaveLength(1);
    expect(without.events.filter((e) => e.type === 'transcript')).toHaveLength(0);
    hub.unsubscribe(a.subscriptionId);
    hub.transcript(c1, line);
    expect(withText.events.filter((e) => e.type === 'transcript')).toHaveLength(1);
  });

  it('replays the newest final lines to a transcript subscriber that joins or resumes mid-call', () => {
    const hub = new CueHub({ replayBuffer: 10, endedCallRetention: 10, transcriptReplay: 3 });
    const c1 = hub.openCall(acme);
    const say = (segmentId: string, isFinal: boolean, text = segmentId) =>
      hub.transcript(c1, {
        type: 'transcript',
        callId: 'c1',
        segmentId,
        speaker: 'customer',
        isFinal,
        text,
        startMs: 0,
        endMs: 1,
      });
    say('s1', true);
    say('s2', false);
    say('s2', true, 's2 final');
    say('s2', true, 's2 corrected');
    say('s3', true);
    say('s4', true);
    say('s5', false);
    hub.publish(c1, draft);
    const lines = (replay: SubscriberEvent[]) => replay.flatMap((e) => (e.type === 'transcript' ? [e.text] : []));

    // Partials are not kept, a final sent again replaces itself, and only the newest three stay.
    const joined = hub.subscribe('acme', { agentId: 'a1' }, () => {}, { transcript: true, resume: {} });
    expect(lines(joined.replay)).toEqual(['s2 corrected', 's3', 's4']);
    expect(hub.subscribe('acme', { callId: 'c1' }, () => {}, { transcript: false, resume: {} }).replay).toEqual([]);

    // A team subscription gets lines only for the calls it resumes; lines come before the cues.
    expect(hub.subscribe('acme', { teamId: 't1' }, () => {}, { transcript: true, resume: {} }).replay).toEqual([]);
    const resumed = hub.subscribe('acme', { teamId: 't1' }, () => {}, { transcript: true, resume: { c1: 0 } });
    expect(resumed.replay.map((e) => e.type)).toEqual(['transcript', 'transcript', 'transcript', 'cue']);

    // An ended call's lines go only to subscribers resuming it.
    hub.endCall(c1);
    expect(hub.subscribe('acme', { callId: 'c1' }, () => {}, { transcript: true, resume: {} }).replay).toEqual([]);
    expect(
      lines(hub.subscribe('acme', { callId: 'c1' }, () => {}, { transcript: true, resume: { c1: 1 } }).replay),
    ).toHaveLength(3);
  });

  it('records who took a safety alert, tells the call’s subscribers once, and replays it', () => {
    const hub = new CueHub({ replayBuffer: 10, endedCallRetention: 10, transcriptReplay: 3 });
    const team = collector();
    hub.subscribe('acme', { teamId: 't1' }, team.sink, { transcript: false, resume: {} });
    const c1 = hub.openCall(acme);
    hub.publish(c1, draft);
    hub.publish(c1, { ...draft, type: 'safety-alert', severity: 'critical', step: 'safety' });

    expect(hub.claimAlert('acme', 'c1', 1, 'lead-1')).toEqual({
      code: 'invalid_message',
      problem: 'seq: cue 1 of call c1 is not a safety alert',
    });
    expect(hub.claimAlert('acme', 'nope', 2, 'lead-1')).toEqual({
      code: 'unknown_call',
      problem: 'callId: no call nope',
    });
    expect(hub.claimAlert('globex', 'c1', 2, 'lead-1')).toMatchObject({ code: 'unknown_call' });
    const first = hub.claimAlert('acme', 'c1', 2, 'lead-1');
    expect(first).toMatchObject({ type: 'alert.claimed', callId: 'c1', seq: 2, by: 'lead-1' });
    expect(hub.claimAlert('acme', 'c1', 2, 'lead-2')).toEqual(first);
    expect(team.events.filter((e) => e.type === 'alert.claimed')).toEqual([first]);

    const later = hub.subscribe('acme', { teamId: 't1' }, () => {}, { transcript: false, resume: { c1: 2 } });
    expect(later.replay).toEqual([first]);
  });

  it('ignores what an incarnation does once the call has been started again: the new call stays live and numbered on', () => {
    const hub = new CueHub({ replayBuffer: 10, endedCallRetention: 10, transcriptReplay: 3 });
    const watcher = collector();
    hub.subscribe('acme', { callId: 'c1' }, watcher.sink, { transcript: true, resume: {} });
    const old = hub.openCall(acme);
    hub.publish(old, draft);
    const fresh = hub.openCall(acme);
    expect(hub.publish(old, draft)).toBeUndefined();
    hub.setStep(old, 'release');
    hub.transcript(old, {
      type: 'transcript',
      callId: 'c1',
      segmentId: 'late',
      speaker: 'customer',
      isFinal: true,
      text: 'late',
      startMs: 0,
      endMs: 1,
    });
    hub.endCall(old);
    expect(hub.publish(fresh, draft)?.seq).toBe(2);
    expect(watcher.events.map((e) => (e.type === 'call' ? `${e.event}:${e.call.ended}` : e.type))).toEqual([
      'started:false',
      'cue',
      'ended:true',
      'started:false',
      'cue',
    ]);
  });

  it('keeps ended calls for replay per tenant: one tenant’s churn does not erase another’s history', () => {
    const hub = new CueHub({ replayBuffer: 10, endedCallRetention: 2, transcriptReplay: 3 });
    const kept = hub.openCall(acme);
    hub.publish(kept, draft);
    hub.endCall(kept);
    for (let i = 0; i < 5; i++) hub.endCall(hub.openCall({ tenant: 'globex', callId: `g${i}`, agentId: 'a' }));
    expect(
      hub.subscribe('acme', { callId: 'c1' }, () => {}, { transcript: false, resume: { c1: 0 } }).replay,
    ).toHaveLength(1);
    expect(
      hub.subscribe('globex', { tenant: true }, () => {}, { transcript: false, resume: {} }).calls.map((c) => c.callId),
    ).toEqual(['g3', 'g4']);
  });

  it('delivers an event once to a sink that holds overlapping subscriptions', () => {
    const hub = new CueHub({ replayBuffer: 10, endedCallRetention: 10, transcriptReplay: 3 });
    const one = collector();
    hub.subscribe('acme', { callId: 'c1' }, one.sink, { transcript: false, resume: {} });
    hub.subscribe('acme', { agentId: 'a1' }, one.sink, { transcript: false, resume: {} });
    hub.subscribe('acme', { tenant: true }, one.sink, { transcript: true, resume: {} });
    const c1 = hub.openCall(acme);
    hub.publish(c1, draft);
    hub.transcript(c1, {
      type: 'transcript',
      callId: 'c1',
      segmentId: 's',
      speaker: 'customer',
      isFinal: true,
      text: 'hi',
      startMs: 0,
      endMs: 1,
    });
    expect(one.events.map((e) => e.type)).toEqual(['call', 'cue', 'transcript']);
  });

  it('resets a subscriber whose resume point belongs to another numbering (a restart), then replays the new one', () => {
    const before = new CueHub({ replayBuffer: 10, endedCallRetention: 10, transcriptReplay: 3 });
    const old = before.openCall(acme);
    for (let i = 0; i < 3; i++) before.publish(old, draft);
    const oldEpoch = before.publish(old, draft)!.epoch;

    const after = new CueHub({ replayBuffer: 10, endedCallRetention: 10, transcriptReplay: 3 });
    const restarted = after.openCall(acme);
    const alert = after.publish(restarted, { ...draft, type: 'safety-alert', severity: 'critical', step: 'safety' })!;
    expect(alert.epoch).not.toBe(oldEpoch);
    const kinds = (resume: Record<string, number | { epoch: string; seq: number }>) =>
      after
        .subscribe('acme', { callId: 'c1' }, () => {}, { transcript: false, resume })
        .replay.map((e) => (e.type === 'cue' ? `cue ${e.cue.seq}` : e.type));
    // A seq beyond the newest is a numbering the service no longer has; another epoch is too.
    expect(kinds({ c1: 4 })).toEqual(['reset', 'cue 1']);
    expect(kinds({ c1: { epoch: oldEpoch, seq: 0 } })).toEqual(['reset', 'cue 1']);
    expect(kinds({ c1: { epoch: alert.epoch, seq: 0 } })).toEqual(['cue 1']);
    expect(kinds({ c1: { epoch: alert.epoch, seq: 1 } })).toEqual([]);
  });
});
