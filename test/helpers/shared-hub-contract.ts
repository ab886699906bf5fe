import type { Counter } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { advance } from '../../src/ladder/ladder.js';
import { loadPolicy } from '../../src/ladder/policy.js';
import type { CueDraft, LadderEvent } from '../../src/ladder/state.js';
import { createMetrics } from '../../src/metrics.js';
import type { SubscriberEvent, SubscriptionScope, ResumePoint } from '../../src/protocol/subscribe-messages.js';
import { FencedError } from '../../src/state/call-state.js';
import type { LadderRun } from '../../src/state/cue-numbering.js';
import type { SharedHub, SharedHubOptions } from '../../src/state/shared-hub.js';
import { customerLine, newCall } from './store-inputs.js';
import { until } from './until.js';

/** Service instances sharing one store: in memory (one process) or through one Redis server. */
export interface HubFixture {
  /** A new instance; `hooks` hear of calls another instance took from it, of live calls nobody drives, of acks for its calls and of what it raises; `metrics` counts. */
  instance(
    name: string,
    hooks?: Partial<Pick<SharedHubOptions, 'onLost' | 'onOrphan' | 'onAcks' | 'metrics' | 'observe'>>,
  ): Promise<SharedHub>;
  /** Lets every lease now held run out (the holder stops renewing: it died or stalled). */
  expireLeases(): Promise<void>;
}

const policy = loadPolicy(undefined);
let utterances = 0;
/** The real ladder reading one customer line. */
const said = (label: 'abusive' | 'threat' | 'neutral'): LadderRun => {
  const n = ++utterances;
  const scores = { neutral: 0, venting: 0, abusive: 0, threat: 0, [label]: 0.99 };
  const event: LadderEvent = {
    type: 'utterance',
    utterance: {
      utteranceId: `u${n}`,
      speaker: 'customer',
      text: `${label} line ${n}`,
      verdict: { label, scores, spans: [] },
      startMs: n * 3000,
      endMs: n * 3000 + 2000,
    },
    context: [],
  };
  return (state) => advance(state, event, policy);
};
const move =
  (draft: CueDraft): LadderRun =>
  (state) => ({ state: { ...state, step: draft.step }, cues: [draft] });

/** Each counter's value. */
const counted = (...counters: Counter[]): Promise<number[]> =>
  Promise.all(counters.map(async (counter) => (await counter.get()).values[0]?.value ?? 0));

/** Records what one subscriber socket receives. */
function subscriber() {
  const events: SubscriberEvent[] = [];
  return {
    events,
    sink: (event: SubscriberEvent) => void events.push(event),
    cues: (callId?: string) =>
      events.flatMap((e) =>
        e.type === 'cue' && (callId === undefined || e.cue.callId === callId) ? [`${e.cue.seq} ${e.cue.type}`] : [],
      ),
    /** Waits for the call’s end: every event of the call raised before it has arrived by then (a call’s events arrive in order). */
    async ended(callId: string, times = 1): Promise<void> {
      for (let i = 0; i < 500; i++) {
        if (events.filter((e) => e.type === 'call' && e.event === 'ended' && e.call.callId === callId).length >= times)
          return;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error(`call ${callId} did not end; received ${JSON.stringify(events.slice(-3))}`);
    },
  };
}

/** Subscribes the way the route does: replay first, then live events. */
async function subscribe(
  hub: SharedHub,
  scope: SubscriptionScope,
  sink: (e: SubscriberEvent) => void,
  resume: Record<string, ResumePoint> = {},
  transcript = false,
) {
  const subscribed = await hub.subscribe('acme', scope, sink, { transcript, resume });
  for (const event of subscribed.replay) sink(event);
  subscribed.start();
  return subscribed;
}

export function sharedHubContract(name: string, setup: () => HubFixture | Promise<HubFixture>) {
  describe(`shared hub over ${name}`, () => {
    it('numbers each call’s cues from 1 and delivers them by scope, once per socket', async () => {
      const fixture = await setup();
      const hub = await fixture.instance('a');
      const byCall = subscriber();
      const byTeam = subscriber();
      const otherTeam = subscriber();
      const first = newCall();
      const second = newCall('agent-8');
      await subscribe(hub, { callId: first.callId }, byCall.sink);
      await subscribe(hub, { agentId: first.agentId }, byCall.sink);
      await subscribe(hub, { teamId: 'team-a' }, byTeam.sink);
      await subscribe(hub, { teamId: 'team-b' }, otherTeam.sink);
      const one = (await hub.openCall(first))!;
      const two = (await hub.openCall(second))!;
      await hub.apply(one, said('abusive'));
      await hub.apply(one, said('abusive'));
      await hub.apply(two, said('abusive'));
      await hub.endCall(one);
      await hub.endCall(two);
      await byCall.ended(first.callId);
      await byTeam.ended(second.callId);
      expect(byCall.cues()).toEqual(['1 set-limit', '2 warn']);
      expect(byTeam.cues(first.callId)).toEqual(['1 set-limit', '2 warn']);
      expect(byTeam.cues(second.callId)).toEqual(['1 set-limit']);
      expect(
        otherTeam.events.filter((e) => 'callId' in e && (e.callId === first.callId || e.callId === second.callId)),
      ).toEqual([]);
      hub.close();
    });

    it('replays what a subscriber missed, with gap and reset, the kept lines and the claims', async () => {
      const fixture = await setup();
      const hub = await fixture.instance('a');
      const info = newCall();
      const call = (await hub.openCall(info))!;
      await hub.transcript(call, customerLine(info, 's1', 'you idiot'));
      await hub.apply(call, said('abusive'));
      const [alert] = await hub.apply(call, said('threat'));
      expect(alert).toMatchObject({ seq: 2, type: 'safety-alert' });
      expect(await hub.claimAlert('acme', info.callId, 1, 'lead')).toMatchObject({ code: 'invalid_message' });
      expect(await hub.claimAlert('acme', 'no-such-call', 2, 'lead')).toMatchObject({ code: 'unknown_call' });
      const claim = await hub.claimAlert('acme', info.callId, 2, 'lead-north');
      expect(await hub.claimAlert('acme', info.callId, 2, 'lead-south')).toEqual(claim);

      const kinds = async (resume: ResumePoint, transcript = false) =>
        (
          await hub.subscribe('acme', { callId: info.callId }, () => undefined, {
            transcript,
            resume: { [info.callId]: resume },
          })
        ).replay.map((e) => (e.type === 'cue' ? `cue ${e.cue.seq}` : e.type));
      expect(await kinds(1)).toEqual(['cue 2', 'alert.claimed']);
      expect(await kinds({ epoch: alert!.epoch, seq: 2 }, true)).toEqual(['transcript', 'alert.claimed']);
      expect(await kinds({ epoch: 'another-numbering', seq: 1 })).toEqual(['reset', 'cue 1', 'cue 2', 'alert.claimed']);
      expect(await kinds(7)).toEqual(['reset', 'cue 1', 'cue 2', 'alert.claimed']);
      hub.close();
    });

    it('sends a subscriber that joins while cues flow every cue once, in order', async () => {
      const fixture = await setup();
      const hub = await fixture.instance('a');
      const info = newCall();
      const call = (await hub.openCall(info))!;
      const drafts: CueDraft[] = Array.from({ length: 30 }, (_, i) => ({
        type: 'stay-calm',
        severity: 'info',
        step: 'listen',
        script: `cue ${i + 1}`,
        evidence: [],
      }));
      const watcher = subscriber();
      const flowing = (async () => {
        for (const draft of drafts) await hub.apply(call, move(draft));
      })();
      await new Promise((resolve) => setTimeout(resolve, 1));
      await subscribe(hub, { callId: info.callId }, watcher.sink, { [info.callId]: 0 });
      await flowing;
      await hub.endCall(call);
      await watcher.ended(info.callId);
      expect(watcher.cues()).toEqual(drafts.map((_, i) => `${i + 1} stay-calm`));
      hub.close();
    });

    it('numbers a call started again after its end as a new call: another epoch from 1, its ladder afresh', async () => {
      const fixture = await setup();
      const hub = await fixture.instance('a');
      const info = newCall();
      const first = (await hub.openCall(info))!;
      await hub.apply(first, said('abusive'));
      await hub.endCall(first);
      const again = (await hub.openCall(info))!;
      const [cue] = await hub.apply(again, said('abusive'));
      expect(cue).toMatchObject({ seq: 1, type: 'set-limit', epoch: again.epoch });
      expect(again.epoch).not.toBe(first.epoch);
      hub.close();
    });

    it('isolates tenants, even for the same call id', async () => {
      const fixture = await setup();
      const hub = await fixture.instance('a');
      const outsider = subscriber();
      const info = newCall();
      const subscribed = await hub.subscribe('globex', { tenant: true }, outsider.sink, {
        transcript: true,
        resume: {},
      });
      subscribed.start();
      const call = (await hub.openCall(info))!;
      await hub.apply(call, said('abusive'));
      const again = await hub.subscribe('globex', { callId: info.callId }, outsider.sink, {
        transcript: true,
        resume: { [info.callId]: 0 },
      });
      expect(again.replay).toEqual([]);
      expect(again.calls).toEqual([]);
      expect(await hub.claimAlert('globex', info.callId, 1, 'lead')).toMatchObject({ code: 'unknown_call' });
      await hub.endCall(call);
      const watcher = subscriber();
      await subscribe(hub, { callId: info.callId }, watcher.sink, { [info.callId]: 1 });
      expect(outsider.events).toEqual([]);
      hub.close();
    });

    it('sends transcript lines only to subscribers that asked, replays the kept finals by scope, and stops after unsubscribe', async () => {
      const fixture = await setup();
      const hub = await fixture.instance('a');
      const info = newCall('agent-t', 'team-t');
      const withText = subscriber();
      const without = subscriber();
      const texts = await subscribe(hub, { callId: info.callId }, withText.sink, {}, true);
      await subscribe(hub, { callId: info.callId }, without.sink);
      const call = (await hub.openCall(info))!;
      const say = (segmentId: string, isFinal: boolean, text = segmentId) =>
        hub.transcript(call, customerLine(info, segmentId, text, isFinal));
      for (const [segmentId, isFinal, text] of [
        ['s1', true],
        ['s2', false],
        ['s2', true, 's2 final'],
        ['s2', true, 's2 corrected'],
        ['s3', true],
        ['s4', true],
        ['s5', false],
      ] as const) {
        await say(segmentId, isFinal, text);
      }
      await hub.apply(call, said('abusive'));
      const lines = (replay: SubscriberEvent[]) => replay.flatMap((e) => (e.type === 'transcript' ? [e.text] : []));
      const replayOf = async (
        scope: SubscriptionScope,
        transcript: boolean,
        resume: Record<string, ResumePoint> = {},
      ) => (await hub.subscribe('acme', scope, () => undefined, { transcript, resume })).replay;
      // Partials are not kept, a final sent again replaces itself, only the newest three stay; lines come before cues.
      expect(lines(await replayOf({ agentId: 'agent-t' }, true))).toEqual(['s2 corrected', 's3', 's4']);
      expect(await replayOf({ callId: info.callId }, false)).toEqual([]);
      expect(await replayOf({ teamId: 'team-t' }, true)).toEqual([]);
      expect((await replayOf({ teamId: 'team-t' }, true, { [info.callId]: 0 })).map((e) => e.type)).toEqual([
        'transcript',
        'transcript',
        'transcript',
        'cue',
      ]);
      expect(hub.unsubscribe(texts.subscriptionId)).toBe(true);
      await say('s6', true);
      await hub.endCall(call);
      expect(await replayOf({ callId: info.callId }, true)).toEqual([]);
      expect(lines(await replayOf({ callId: info.callId }, true, { [info.callId]: 1 }))).toEqual(['s3', 's4', 's6']);
      await without.ended(info.callId); // the same instance delivered to both by then
      expect(without.events.filter((e) => e.type === 'transcript')).toEqual([]);
      expect(lines(withText.events)).toEqual(['s1', 's2', 's2 final', 's2 corrected', 's3', 's4', 's5']);
      hub.close();
    });

    it('drops what an earlier opening of a call does once the call was started again', async () => {
      const fixture = await setup();
      const hub = await fixture.instance('a');
      const info = newCall();
      const watcher = subscriber();
      await subscribe(hub, { callId: info.callId }, watcher.sink);
      const old = (await hub.openCall(info))!;
      await hub.apply(old, said('abusive'));
      await hub.endCall(old);
      const fresh = (await hub.openCall(info))!;
      await expect(hub.apply(old, said('abusive'))).rejects.toBeInstanceOf(FencedError);
      await expect(hub.transcript(old, customerLine(info, 'late', 'late'))).rejects.toBeInstanceOf(FencedError);
      expect((await hub.apply(fresh, said('abusive')))[0]).toMatchObject({ seq: 1, type: 'set-limit' });
      await hub.endCall(fresh);
      await watcher.ended(info.callId, 2);
      expect(watcher.events.map((e) => (e.type === 'call' ? `${e.event}:${e.call.ended}` : e.type))).toEqual([
        'started:false',
        'cue',
        'ended:true',
        'started:false',
        'cue',
        'ended:true',
      ]);
      hub.close();
    });

    it('keeps an ack posted on any instance for the live call’s driver, which is told and takes it once; none is left for the call started again', async () => {
      const fixture = await setup();
      const told: string[] = [];
      const a = await fixture.instance('a', { onAcks: (call) => void told.push(call.callId) });
      const b = await fixture.instance('b');
      const info = newCall();
      expect(await b.postAck(info, { step: 'limit-set' })).toEqual({ kept: false });
      const call = (await a.openCall(info))!;
      expect(await b.postAck(info, { step: 'limit-set' })).toEqual({ kept: true });
      expect(await b.postAck(info, { step: 'transferred', epoch: call.epoch })).toEqual({ kept: true });
      await until(() => told.length === 2);
      expect(told).toEqual([info.callId, info.callId]);
      expect(await a.takeAcks(call)).toEqual([{ step: 'limit-set' }, { step: 'transferred', epoch: call.epoch }]);
      expect(await a.takeAcks(call)).toEqual([]);
      // One posted as the call ends is never taken; an ended call refuses acks.
      expect(await b.postAck(info, { step: 'released' })).toEqual({ kept: true });
      await a.endCall(call);
      expect(await b.postAck(info, { step: 'released' })).toEqual({ kept: false });
      const again = (await a.openCall(info))!;
      expect(await a.takeAcks(again)).toEqual([]);
      a.close();
      b.close();
    });

    it('refuses an ack naming the epoch of a call that ended for the call started again with its id, and names the live epoch', async () => {
      const fixture = await setup();
      const a = await fixture.instance('a');
      const b = await fixture.instance('b');
      const info = newCall();
      const first = (await a.openCall(info))!;
      await a.endCall(first);
      const again = (await a.openCall(info))!;
      expect(again.epoch).not.toBe(first.epoch);
      expect(await b.postAck(info, { step: 'limit-set', epoch: first.epoch })).toEqual({
        kept: false,
        liveEpoch: again.epoch,
      });
      expect(await a.takeAcks(again)).toEqual([]);
      a.close();
      b.close();
    });

    it('hands a call whose owner died to the next instance, at the same ladder step, every cue once and in order', async () => {
      const fixture = await setup();
      const a = await fixture.instance('a');
      const b = await fixture.instance('b');
      const agentOnB = subscriber();
      const teamOnB = subscriber();
      const info = newCall('agent-1', 'team-x');
      const other = newCall('agent-2', 'team-x');
      await subscribe(b, { agentId: 'agent-1' }, agentOnB.sink);
      await subscribe(b, { teamId: 'team-x' }, teamOnB.sink);
      const onA = (await a.openCall(info))!;
      const onB = (await b.openCall(other))!;
      await a.apply(onA, said('abusive'));
      await a.apply(onA, said('abusive'));
      await b.apply(onB, said('abusive'));
      expect(await b.openCall(info)).toBeUndefined(); // A still holds it: no fork

      a.close(); // A dies: it renews nothing any more
      await fixture.expireLeases();
      const taken = (await b.openCall(info))!;
      expect(taken.ladder).toMatchObject({ step: 'warning', rung: 2, abusiveCount: 2 });
      const [next] = await b.apply(taken, said('abusive'));
      expect(next).toMatchObject({ seq: 3, type: 'transfer', epoch: onA.epoch });
      await b.endCall(taken);
      await b.endCall(onB);
      await agentOnB.ended(info.callId);
      await teamOnB.ended(other.callId);
      expect(agentOnB.cues()).toEqual(['1 set-limit', '2 warn', '3 transfer']);
      expect(teamOnB.cues(info.callId)).toEqual(['1 set-limit', '2 warn', '3 transfer']);
      expect(teamOnB.cues(other.callId)).toEqual(['1 set-limit']);
      b.close();
    });

    it('hands its calls over at once when it shuts down cleanly', async () => {
      const fixture = await setup();
      const a = await fixture.instance('a');
      const b = await fixture.instance('b');
      const info = newCall();
      await a.apply((await a.openCall(info))!, said('abusive'));
      a.close();
      await a.releaseLeases();
      const taken = (await b.openCall(info))!;
      expect(taken.ladder).toMatchObject({ step: 'limit', rung: 1 });
      b.close();
    });

    it('fences an owner that stalled past its lease: its step is refused and it learns it lost the call', async () => {
      const fixture = await setup();
      const lost: string[] = [];
      const [onA, onB] = [createMetrics(), createMetrics()];
      const a = await fixture.instance('a', { onLost: (info) => lost.push(info.callId), metrics: onA });
      const b = await fixture.instance('b', { metrics: onB });
      const info = newCall();
      const stalled = (await a.openCall(info))!;
      await a.apply(stalled, said('abusive'));
      a.close(); // stops renewing, but keeps its handle
      await fixture.expireLeases();
      const taken = (await b.openCall(info))!;
      await expect(a.apply(stalled, said('abusive'))).rejects.toBeInstanceOf(FencedError);
      expect(lost).toEqual([info.callId]);
      const [next] = await b.apply(taken, said('abusive'));
      expect(next).toMatchObject({ seq: 2, type: 'warn' });
      expect(await counted(onA.fencingRejections, onA.leasesLost, onA.leaseTakeovers)).toEqual([1, 1, 0]);
      expect(await counted(onB.fencingRejections, onB.leasesLost, onB.leaseTakeovers)).toEqual([0, 0, 1]);
      b.close();
    });

    it('fences an owner that stalled past its lease after the taker ended the call and gave the lease up', async () => {
      const fixture = await setup();
      const lost: string[] = [];
      const onA = createMetrics();
      const a = await fixture.instance('a', { onLost: (info) => lost.push(info.callId), metrics: onA });
      const b = await fixture.instance('b');
      const watcher = subscriber();
      const info = newCall();
      await subscribe(b, { callId: info.callId }, watcher.sink);
      const stalled = (await a.openCall(info))!;
      await a.apply(stalled, said('abusive'));
      a.close();
      await fixture.expireLeases();
      const taken = (await b.openCall(info))!;
      await b.apply(taken, said('abusive'));
      await b.endCall(taken);
      await watcher.ended(info.callId);
      await expect(a.apply(stalled, said('abusive'))).rejects.toBeInstanceOf(FencedError);
      expect(lost).toEqual([info.callId]);
      expect(await counted(onA.fencingRejections, onA.leasesLost)).toEqual([1, 1]);
      expect(watcher.cues()).toEqual(['1 set-limit', '2 warn']);
      b.close();
    });

    it('tells the observer of a call it took over whether that call had already reached an incident', async () => {
      const fixture = await setup();
      const heard: [string, boolean | undefined][] = [];
      const a = await fixture.instance('a');
      const b = await fixture.instance('b', {
        observe: (info, event, context) => {
          if (event.type === 'call' && event.event === 'started') heard.push([info.callId, context?.afterIncident]);
        },
      });
      const abused = newCall();
      const calm = newCall();
      await a.apply((await a.openCall(abused))!, said('abusive'));
      await a.apply((await a.openCall(calm))!, said('neutral'));
      a.close();
      await fixture.expireLeases();
      await b.openCall(abused);
      await b.openCall(calm);
      expect(heard).toEqual([
        [abused.callId, true],
        [calm.callId, false],
      ]);
      b.close();
    });

    it('hands a live call nobody drives to the sweep’s onOrphan, once two sweeps found it without a lease', async () => {
      const fixture = await setup();
      const orphans = new Set<string>();
      const a = await fixture.instance('a');
      const b = await fixture.instance('b', { onOrphan: (info) => void orphans.add(info.callId) });
      const deserted = newCall();
      const driven = newCall();
      const ended = newCall();
      await a.openCall(deserted);
      await b.openCall(driven);
      await b.endCall((await b.openCall(ended))!);
      await b.sweepOrphans();
      a.close(); // dies: nobody renews the deserted call's lease
      await fixture.expireLeases();
      await b.sweepOrphans();
      expect(orphans.has(deserted.callId)).toBe(false); // one sweep without a lease is not enough
      await b.sweepOrphans();
      expect(orphans.has(deserted.callId)).toBe(true);
      expect(orphans.has(driven.callId) || orphans.has(ended.callId)).toBe(false);
      b.close();
    });
  });
}
