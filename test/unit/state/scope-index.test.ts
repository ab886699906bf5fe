import { describe, expect, it } from 'vitest';
import type { CallInfo } from '../../../src/state/call-state.js';
import { covers, ScopeIndex, type IndexedSubscription, type Sink } from '../../../src/fanout/scope-index.js';
import type { SubscriberEvent, SubscriptionScope } from '../../../src/protocol/subscribe-messages.js';

const call: CallInfo = { tenant: 'acme', callId: 'c1', agentId: 'a1', teamId: 't1' };
const cue = {
  type: 'call',
  event: 'moved',
  call: { callId: 'c1', agentId: 'a1', epoch: 'e', lastSeq: 0, step: 'limit', ended: false },
} as SubscriberEvent;
const line = {
  type: 'transcript',
  callId: 'c1',
  segmentId: 's',
  speaker: 'customer',
  isFinal: true,
  text: 'hi',
  startMs: 0,
  endMs: 1,
} as SubscriberEvent;

let ids = 0;
const sub = (
  scope: SubscriptionScope,
  options: { tenant?: string; transcript?: boolean; sink?: Sink; boundAgent?: string } = {},
): IndexedSubscription => ({
  id: `sub-${++ids}`,
  tenant: options.tenant ?? 'acme',
  scope,
  transcript: options.transcript ?? false,
  sink: options.sink ?? (() => undefined),
  boundAgent: options.boundAgent,
});

describe('ScopeIndex', () => {
  it('reaches the subscriptions whose scope covers the call: its id, agent, team or whole tenant', () => {
    const index = new ScopeIndex();
    const covering = [sub({ callId: 'c1' }), sub({ agentId: 'a1' }), sub({ teamId: 't1' }), sub({ tenant: true })];
    const others = [
      sub({ callId: 'c2' }),
      sub({ agentId: 'a2' }),
      sub({ teamId: 't2' }),
      sub({ tenant: true }, { tenant: 'globex' }),
      sub({ callId: 'a1' }),
    ];
    for (const s of [...covering, ...others]) index.add(s);
    expect(
      index
        .reached(call, cue)
        .map((s) => s.id)
        .sort(),
    ).toEqual(covering.map((s) => s.id).sort());
    expect(index.reached({ ...call, teamId: undefined } as unknown as CallInfo, cue)).toHaveLength(3);
  });

  it('reaches each sink once, sends transcript lines only where they were asked for, and forgets removed subscriptions', () => {
    const index = new ScopeIndex();
    const sink: Sink = () => undefined;
    const byCall = sub({ callId: 'c1' }, { sink });
    const byTenant = sub({ tenant: true }, { sink, transcript: true });
    const agentWithLines = sub({ agentId: 'a1' }, { transcript: true });
    for (const s of [byCall, byTenant, agentWithLines]) index.add(s);
    expect(index.reached(call, cue)).toHaveLength(2);
    expect([...index.ofSink(sink)]).toEqual([byCall, byTenant]);
    expect(
      index
        .reached(call, line)
        .map((s) => s.id)
        .sort(),
    ).toEqual([byTenant.id, agentWithLines.id].sort());
    expect(index.remove(agentWithLines.id)).toBe(agentWithLines);
    expect(index.remove(agentWithLines.id)).toBeUndefined();
    expect(index.reached(call, line)).toEqual([byTenant]);
    expect(index.all()).toHaveLength(2);
  });

  it('reaches a subscription of a token bound to an agent, and lists the call for it, only when the call is that agent’s', () => {
    const index = new ScopeIndex();
    const own = sub({ callId: 'c1' }, { boundAgent: 'a1' });
    const other = sub({ callId: 'c1' }, { boundAgent: 'a2' });
    for (const s of [own, other]) index.add(s);
    expect(index.reached(call, cue)).toEqual([own]);
    expect(index.reached(call, line)).toEqual([]);
    expect(covers(own, call)).toBe(true);
    expect(covers(other, call)).toBe(false);
    expect(covers(sub({ callId: 'c1' }), call)).toBe(true);
  });

  it('does not look at subscriptions of other calls: the same few buckets whatever their number', () => {
    const index = new ScopeIndex();
    const watched = sub({ callId: 'c1' });
    index.add(watched);
    // A subscription whose scope another call has is never handed to this call's events; with a
    // Set per scope, none of these 2,000 is visited (docs/deployment.md, fan-out).
    const visited: string[] = [];
    for (let i = 0; i < 2000; i++) {
      const other = sub({ callId: `other-${i}` });
      index.add(
        new Proxy(other, {
          get: (target, key) => (key === 'sink' && visited.push(target.id), Reflect.get(target, key)),
        }),
      );
    }
    visited.length = 0; // adding one reads its sink (subscriptions are also kept per socket)
    expect(index.reached(call, cue)).toEqual([watched]);
    expect(visited).toEqual([]);
  });
});
