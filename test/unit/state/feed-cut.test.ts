import { describe, expect, it, vi } from 'vitest';
import { localFeed } from '../../../src/fanout/event-feed.js';
import { LocalFanout } from '../../../src/fanout/local-fanout.js';
import { initialLadderState } from '../../../src/ladder/state.js';
import type { Cue, LadderStep } from '../../../src/protocol/cue.js';
import type { CallSummary, SubscriberEvent, TranscriptEvent } from '../../../src/protocol/subscribe-messages.js';
import type { CallInfo, Lease } from '../../../src/state/call-state.js';
import { memoryCallStore } from '../../../src/state/memory-store.js';
import type { ListedPoint } from '../../../src/state/subscription-replay.js';

/**
 * An instance whose event feed can be cut (as a Redis Pub/Sub connection is): while cut, what the
 * store announces never reaches the fan-out; `resume` runs the catch-up the feed runs once it is back.
 */
function instanceWithFeed() {
  let cut = false;
  const store = memoryCallStore({
    replayBuffer: 64,
    transcriptLines: 3,
    announce: (envelope) => {
      if (!cut) fanout.deliver(envelope);
    },
  });
  const fanout: LocalFanout = new LocalFanout({ feed: localFeed, store });
  return {
    store,
    fanout,
    cutFeed: () => void (cut = true),
    /** The feed is back, its catch-up not run yet: the next live cue shows the gap. */
    reconnect: () => void (cut = false),
    resume: async () => {
      cut = false;
      await fanout.catchUp();
    },
  };
}

/** Drives one call through the store as its owner does. */
async function ownCall(store: ReturnType<typeof memoryCallStore>, info: CallInfo) {
  const lease = (await store.leases.acquire(info, 'owner', 60_000)) as Lease;
  const { epoch } = await store.cues.numbering(info);
  let lastSeq = 0;
  let step: LadderStep = 'listen';
  const summary = (ended = false): CallSummary => ({
    callId: info.callId,
    agentId: info.agentId,
    epoch,
    lastSeq,
    step,
    ended,
  });
  return {
    start: () => store.directory.update(info, lease, summary(), { type: 'call', event: 'started', call: summary() }),
    line: (segmentId: string, label?: 'abusive') => {
      const line: TranscriptEvent = {
        type: 'transcript',
        callId: info.callId,
        segmentId,
        speaker: 'customer',
        isFinal: true,
        text: `line ${segmentId}`,
        startMs: 0,
        endMs: 1,
        ...(label ? { label } : {}),
      };
      return store.transcripts.append(info, lease, line);
    },
    cue: (cueStep: LadderStep) => {
      step = cueStep;
      lastSeq++;
      const cue = { seq: lastSeq, epoch, callId: info.callId, agentId: info.agentId, step: cueStep } as Cue;
      return store.ladders.commit(info, lease, { ladder: initialLadderState(), cues: [cue], summary: summary() });
    },
    moved: async (to: LadderStep) => {
      step = to;
      await store.ladders.commit(info, lease, { ladder: initialLadderState(), cues: [], summary: summary() });
      await store.directory.announce(info, lease, { type: 'call', event: 'moved', call: summary() });
    },
    end: () =>
      store.directory.update(info, lease, summary(true), { type: 'call', event: 'ended', call: summary(true) }),
    /** The owner lets the ended call go, as the service does; the id may then start again. */
    release: async () => {
      await store.leases.release(info, lease);
      await store.directory.ended(info, 10);
    },
  };
}

/** Holds the store's cue reads (a slow read-back) until the function returned is called. */
function holdCueReads(store: ReturnType<typeof memoryCallStore>): () => void {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const since = store.cues.since.bind(store.cues);
  store.cues.since = async (...args) => {
    await held;
    return since(...args);
  };
  return release;
}

const shown = (event: SubscriberEvent): string => {
  switch (event.type) {
    case 'transcript':
      return `${event.callId} line ${event.segmentId}${event.label ? ` ${event.label}` : ''}`;
    case 'cue':
      return `${event.cue.callId} cue ${event.cue.seq}`;
    case 'call':
      return `${event.call.callId} ${event.event} ${event.call.step}`;
    default:
      return `${event.callId} ${event.type}`;
  }
};

async function subscribed(fanout: LocalFanout, scope: { agentId: string } | { teamId: string }, transcript = true) {
  const events: string[] = [];
  const { start } = await fanout.add('acme', scope, (event) => void events.push(shown(event)), transcript);
  start(new Map(), new Set());
  return events;
}

describe('a subscription whose event feed was cut, once the feed is back', () => {
  it('gets the lines and the step change it missed, after the missed cues, each once', async () => {
    const { store, fanout, cutFeed, resume } = instanceWithFeed();
    const agent = await subscribed(fanout, { agentId: 'a1' });
    const call = await ownCall(store, { tenant: 'acme', callId: 'c1', agentId: 'a1' });
    await call.start();
    await call.line('s1');
    await call.line('s1', 'abusive');
    await call.line('s2');
    await call.cue('limit');

    cutFeed();
    await call.line('s2', 'abusive'); // the newest line sent, labelled meanwhile
    await call.line('s3', 'abusive');
    await call.cue('warning');
    await call.moved('solve');
    await resume();
    await call.line('s4');

    expect(agent).toEqual([
      'c1 started listen',
      'c1 line s1',
      'c1 line s1 abusive',
      'c1 line s2',
      'c1 cue 1',
      'c1 cue 2',
      'c1 line s2 abusive',
      'c1 line s3 abusive',
      'c1 moved solve',
      'c1 line s4',
    ]);
  });

  it('sends no lines to a subscription that did not ask for them, and no `moved` when the step is the one it was told', async () => {
    const { store, fanout, cutFeed, resume } = instanceWithFeed();
    const team = await subscribed(fanout, { teamId: 't1' }, false);
    const call = await ownCall(store, { tenant: 'acme', callId: 'c1', agentId: 'a1', teamId: 't1' });
    await call.start();
    await call.cue('limit');
    cutFeed();
    await call.line('s1', 'abusive');
    await resume();
    expect(team).toEqual(['c1 started listen', 'c1 cue 1']);
  });

  it('reads back every kept line when more came during the cut than the call keeps (the older are gone)', async () => {
    const { store, fanout, cutFeed, resume } = instanceWithFeed();
    const agent = await subscribed(fanout, { agentId: 'a1' });
    const call = await ownCall(store, { tenant: 'acme', callId: 'c1', agentId: 'a1' });
    await call.start();
    await call.line('s1');
    cutFeed();
    for (const segment of ['s2', 's3', 's4', 's5']) await call.line(segment);
    await call.end();
    await resume();
    expect(agent).toEqual([
      'c1 started listen',
      'c1 line s1',
      'c1 line s3',
      'c1 line s4',
      'c1 line s5',
      'c1 ended listen',
    ]);
  });

  it('gets a live call that started during the cut: started as it stands, its cues, its lines; not the calls ended before', async () => {
    const { store, fanout, cutFeed, resume } = instanceWithFeed();
    const before = await ownCall(store, { tenant: 'acme', callId: 'c1', agentId: 'a1' });
    await before.start();
    await before.cue('limit');
    await before.end();
    const agent = await subscribed(fanout, { agentId: 'a1' });
    cutFeed();
    const call = await ownCall(store, { tenant: 'acme', callId: 'c2', agentId: 'a1' });
    await call.start();
    await call.line('s1', 'abusive');
    await call.cue('limit');
    await resume();
    await call.end();
    expect(agent).toEqual(['c2 started limit', 'c2 cue 1', 'c2 line s1 abusive', 'c2 ended limit']);
  });

  it('gets a call id started again during the cut as the new call it is: started, then its cues from 1', async () => {
    const { store, fanout, cutFeed, resume } = instanceWithFeed();
    const agent = await subscribed(fanout, { agentId: 'a1' }, false);
    const info = { tenant: 'acme', callId: 'c1', agentId: 'a1' };
    const before = await ownCall(store, info);
    await before.start();
    await before.cue('limit');
    await before.end();
    await before.release();
    cutFeed();
    await store.directory.reopened(info);
    const again = await ownCall(store, info);
    await again.start();
    await again.cue('limit');
    await again.cue('warning');
    await resume();
    await again.cue('transfer');
    expect(agent).toEqual([
      'c1 started listen',
      'c1 cue 1',
      'c1 ended limit',
      'c1 started warning',
      'c1 cue 1',
      'c1 cue 2',
      'c1 cue 3',
    ]);
  });

  it("bound to an agent, gets of the calls it follows that started during the cut only that agent's", async () => {
    const { store, fanout, cutFeed, resume } = instanceWithFeed();
    const events: string[] = [];
    for (const callId of ['c-other', 'c-own']) {
      const { start } = await fanout.add('acme', { callId }, (event) => void events.push(shown(event)), true, 'a1');
      start(new Map(), new Set());
    }
    cutFeed();
    const other = await ownCall(store, { tenant: 'acme', callId: 'c-other', agentId: 'a2' });
    const own = await ownCall(store, { tenant: 'acme', callId: 'c-own', agentId: 'a1' });
    for (const call of [other, own]) {
      await call.start();
      await call.line('s1', 'abusive');
      await call.cue('limit');
    }
    await resume();
    await other.end();
    await own.end();
    expect(events).toEqual(['c-own started limit', 'c-own cue 1', 'c-own line s1 abusive', 'c-own ended limit']);
  });
});

describe('a feed cut that meets a subscription still reading back, or a store that fails the catch-up', () => {
  it('catches up a subscription that was reading back a gap when the feed came back, once that read-back is done', async () => {
    const { store, fanout, cutFeed, reconnect } = instanceWithFeed();
    const agent = await subscribed(fanout, { agentId: 'a1' }, false);
    const first = await ownCall(store, { tenant: 'acme', callId: 'c1', agentId: 'a1' });
    await first.start();
    await first.cue('limit');
    cutFeed();
    await first.cue('warning');
    const second = await ownCall(store, { tenant: 'acme', callId: 'c2', agentId: 'a1' });
    await second.start();
    await second.cue('limit');
    reconnect();
    // A live cue of the first call arrives before the catch-up runs: its gap is read back, slowly.
    const releaseRead = holdCueReads(store);
    await first.cue('solve');
    const caughtUp = fanout.catchUp();
    releaseRead();
    await caughtUp;
    await vi.waitFor(() => expect(agent).toContain('c2 cue 1'));
    await second.cue('warning');
    expect(agent).toEqual([
      'c1 started listen',
      'c1 cue 1',
      'c1 cue 2',
      'c1 cue 3',
      'c2 started limit',
      'c2 cue 1',
      'c2 cue 2',
    ]);
  });

  it('reads the calls again a second later when the store cannot list them, holding live events meanwhile', async () => {
    vi.useFakeTimers();
    try {
      const { store, fanout, cutFeed, resume } = instanceWithFeed();
      const agent = await subscribed(fanout, { agentId: 'a1' }, false);
      cutFeed();
      const call = await ownCall(store, { tenant: 'acme', callId: 'c1', agentId: 'a1' });
      await call.start();
      await call.cue('limit');
      let lists = 0;
      const list = store.directory.list.bind(store.directory);
      store.directory.list = async (tenant) => {
        if (lists++ === 0) throw new Error('store unreachable');
        return list(tenant);
      };
      await resume();
      await call.cue('warning');
      expect(agent).toEqual([]);
      await vi.advanceTimersByTimeAsync(1000);
      expect(lists).toBe(2);
      expect(agent).toEqual(['c1 started warning', 'c1 cue 1', 'c1 cue 2']); // started as it stands when read
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('overlapping subscriptions of one socket', () => {
  it('send each cue once, also after the one that carried them is unsubscribed', async () => {
    const { store, fanout } = instanceWithFeed();
    const info = { tenant: 'acme', callId: 'c1', agentId: 'a1' };
    const call = await ownCall(store, info);
    await call.start();
    const socket: string[] = [];
    const sink = (event: SubscriberEvent) => void socket.push(shown(event));
    const { epoch } = await store.cues.numbering(info);
    const byCall = await fanout.add('acme', { callId: 'c1' }, sink, false);
    byCall.start(new Map([['c1', { epoch, seq: 0, info }]]), new Set());
    const byAgent = await fanout.add('acme', { agentId: 'a1' }, sink, false);
    byAgent.start(new Map([['c1', { epoch, seq: 0, info }]]), new Set());
    await call.cue('limit');
    await call.cue('warning');
    fanout.remove(byCall.id);
    await call.cue('transfer');
    await vi.waitFor(() => expect(socket).toContain('c1 cue 3'));
    expect(socket).toEqual(['c1 cue 1', 'c1 cue 2', 'c1 cue 3']);
  });

  it('send a cue once when the one that took the call over is removed before its replay, holding it', async () => {
    const { store, fanout } = instanceWithFeed();
    const socket: string[] = [];
    const sink = (event: SubscriberEvent) => void socket.push(shown(event));
    const byAgent = await fanout.add('acme', { agentId: 'a1' }, sink, false);
    byAgent.start(new Map(), new Set());
    const call = await ownCall(store, { tenant: 'acme', callId: 'c1', agentId: 'a1' });
    await call.start();
    await call.cue('limit');
    const byCall = await fanout.add('acme', { callId: 'c1' }, sink, false);
    await call.cue('warning'); // held by the call's subscription until its replay is sent
    fanout.remove(byCall.id); // its replay failed: the subscribe is refused
    await call.end();
    await vi.waitFor(() => expect(socket).toContain('c1 ended warning'));
    expect(socket).toEqual(['c1 started listen', 'c1 cue 1', 'c1 cue 2', 'c1 ended warning']);
  });
});

describe('overlapping subscriptions of one socket, after a feed cut', () => {
  const info = { tenant: 'acme', callId: 'c1', agentId: 'a1', teamId: 't1' };

  /** One socket holding an agent and a team subscription that both cover the call; `live`: both replayed it, at no cue yet. */
  async function socketOfTwo(instance: ReturnType<typeof instanceWithFeed>, { transcript = false, live = false } = {}) {
    const socket: string[] = [];
    const sink = (event: SubscriberEvent) => void socket.push(shown(event));
    const { epoch } = await instance.store.cues.numbering(info);
    for (const scope of [{ agentId: 'a1' }, { teamId: 't1' }]) {
      const { start } = await instance.fanout.add('acme', scope, sink, transcript);
      start(new Map(live ? [['c1', { epoch, seq: 0, info }]] : []), new Set());
    }
    return socket;
  }

  it.each([
    ['subscribed before it started', false],
    ['subscribed while it was live', true],
  ])('get each cue of a call missed meanwhile once and in order, read back by one of them (%s)', async (_, live) => {
    const instance = instanceWithFeed();
    const call = await ownCall(instance.store, info);
    if (live) await call.start();
    const socket = await socketOfTwo(instance, { live });
    if (!live) await call.start();
    await call.cue('limit');
    instance.cutFeed();
    await call.cue('warning');
    await call.cue('transfer');
    await instance.resume();
    await call.cue('release');
    const started = live ? [] : ['c1 started listen'];
    expect(socket).toEqual([...started, 'c1 cue 1', 'c1 cue 2', 'c1 cue 3', 'c1 cue 4']);
  });

  it('get one gap and each cue once when more cues came during the cut than the call keeps', async () => {
    const instance = instanceWithFeed();
    const socket = await socketOfTwo(instance);
    const call = await ownCall(instance.store, info);
    await call.start();
    await call.cue('limit');
    instance.cutFeed();
    for (let i = 0; i < 70; i++) await call.cue('warning');
    await instance.resume();
    const kept = Array.from({ length: 64 }, (_, i) => `c1 cue ${i + 8}`);
    expect(socket).toEqual(['c1 started listen', 'c1 cue 1', 'c1 gap', ...kept]);
  });

  it('get a call that started during the cut once: started, its cues and lines, then its end', async () => {
    const instance = instanceWithFeed();
    const socket = await socketOfTwo(instance, { transcript: true });
    const call = await ownCall(instance.store, info);
    instance.cutFeed();
    await call.start();
    await call.line('s1', 'abusive');
    await call.cue('limit');
    await instance.resume();
    await call.cue('warning');
    await call.end();
    expect(socket).toEqual(['c1 started limit', 'c1 cue 1', 'c1 line s1 abusive', 'c1 cue 2', 'c1 ended warning']);
  });

  it('send a cue once when one is added while another reads back a gap of the call', async () => {
    const { store, fanout, cutFeed, reconnect } = instanceWithFeed();
    const socket: string[] = [];
    const sink = (event: SubscriberEvent) => void socket.push(shown(event));
    const byAgent = await fanout.add('acme', { agentId: 'a1' }, sink, false);
    byAgent.start(new Map(), new Set());
    const info = { tenant: 'acme', callId: 'c1', agentId: 'a1' };
    const call = await ownCall(store, info);
    await call.start();
    await call.cue('limit');
    cutFeed();
    await call.cue('warning');
    reconnect();
    const releaseReads = holdCueReads(store);
    await call.cue('transfer'); // after the lost cue 2: the agent subscription reads the gap back, slowly
    // The call's own scope comes first: it carries the call's live cues from now on.
    const byCall = await fanout.add('acme', { callId: 'c1' }, sink, false);
    const { epoch, lastSeq } = await store.cues.numbering(info);
    byCall.start(new Map([['c1', { epoch, seq: lastSeq, info }]]), new Set());
    await call.cue('release'); // beyond where the agent subscription stood: the call's subscription reads back too
    releaseReads();
    await vi.waitFor(() => expect(socket).toContain('c1 cue 4'));
    await call.end();
    expect(socket).toEqual(['c1 started listen', 'c1 cue 1', 'c1 cue 2', 'c1 cue 3', 'c1 cue 4', 'c1 ended release']);
  });

  it('get the lines missed meanwhile when the one carrying the call did not ask for lines and the other did', async () => {
    const instance = instanceWithFeed();
    const socket: string[] = [];
    const sink = (event: SubscriberEvent) => void socket.push(shown(event));
    for (const [scope, transcript] of [
      [{ agentId: 'a1' }, false],
      [{ teamId: 't1' }, true],
    ] as const) {
      const { start } = await instance.fanout.add('acme', scope, sink, transcript);
      start(new Map(), new Set());
    }
    const call = await ownCall(instance.store, info);
    await call.start();
    await call.line('s1');
    await call.cue('limit');
    instance.cutFeed();
    await call.line('s2', 'abusive');
    await call.cue('warning');
    await instance.resume();
    await call.line('s3');
    expect(socket).toEqual([
      'c1 started listen',
      'c1 line s1',
      'c1 cue 1',
      'c1 cue 2',
      'c1 line s2 abusive',
      'c1 line s3',
    ]);
  });

  it('get the cues missed meanwhile when the one carrying the call was still held for its replay and is then removed', async () => {
    const instance = instanceWithFeed();
    const socket: string[] = [];
    const sink = (event: SubscriberEvent) => void socket.push(shown(event));
    const byAgent = await instance.fanout.add('acme', { agentId: 'a1' }, sink, false);
    byAgent.start(new Map(), new Set());
    const call = await ownCall(instance.store, info);
    await call.start();
    await call.cue('limit');
    // The call's own scope comes first: it carries the call from now on, its replay not read yet.
    const byCall = await instance.fanout.add('acme', { callId: 'c1' }, sink, false);
    instance.cutFeed();
    await call.cue('warning');
    await instance.resume();
    instance.fanout.remove(byCall.id); // its replay failed: the subscribe is refused
    await call.end();
    await vi.waitFor(() => expect(socket).toContain('c1 ended warning'));
    expect(socket).toEqual(['c1 started listen', 'c1 cue 1', 'c1 cue 2', 'c1 ended warning']);
  });
});

describe('a subscription whose missed cues cannot be read back yet', () => {
  it('holds its events and tries again a second later, not in a loop; once the store answers, every cue once, in order', async () => {
    vi.useFakeTimers();
    try {
      const { store, fanout, cutFeed, reconnect } = instanceWithFeed();
      const agent = await subscribed(fanout, { agentId: 'a1' }, false);
      const call = await ownCall(store, { tenant: 'acme', callId: 'c1', agentId: 'a1' });
      await call.start();
      await call.cue('limit');
      cutFeed();
      await call.cue('warning');
      reconnect();
      let reads = 0;
      const since = store.cues.since.bind(store.cues);
      store.cues.since = async (...args) => {
        reads++;
        if (reads <= 2) throw new Error('store unreachable');
        return since(...args);
      };
      await call.cue('solve'); // cue 3 after the lost cue 2: a gap to read back
      await vi.advanceTimersByTimeAsync(10);
      expect(reads).toBe(1);
      expect(agent).toEqual(['c1 started listen', 'c1 cue 1']);
      await vi.advanceTimersByTimeAsync(1000);
      expect(reads).toBe(2);
      await vi.advanceTimersByTimeAsync(1000);
      expect(reads).toBe(3);
      expect(agent).toEqual(['c1 started listen', 'c1 cue 1', 'c1 cue 2', 'c1 cue 3']);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('a socket that keeps one subscription and follows other calls one at a time', () => {
  /** The socket's sink, what it was sent, and the subscription it keeps (agent a9, no call here is theirs). */
  async function socketKeepingOne(fanout: LocalFanout) {
    const socket: string[] = [];
    const sink = (event: SubscriberEvent) => void socket.push(shown(event));
    await subscribedWith(fanout, sink, { agentId: 'a9' }, new Map());
    return { socket, sink };
  }

  async function subscribedWith(
    fanout: LocalFanout,
    sink: (event: SubscriberEvent) => void,
    scope: { agentId: string } | { callId: string },
    upTo: Map<string, ListedPoint>,
  ) {
    const subscription = await fanout.add('acme', scope, sink, false);
    subscription.start(upTo, new Set());
    return subscription;
  }

  it('keeps no record of the calls it no longer follows', async () => {
    const { store, fanout } = instanceWithFeed();
    const { sink } = await socketKeepingOne(fanout);
    for (let i = 0; i < 50; i++) {
      const info = { tenant: 'acme', callId: `c${i}`, agentId: 'a1' };
      const call = await ownCall(store, info);
      await call.start();
      const { epoch } = await store.cues.numbering(info);
      const byCall = await subscribedWith(
        fanout,
        sink,
        { callId: info.callId },
        new Map([[info.callId, { epoch, seq: 0, info }]]),
      );
      await call.cue('limit');
      fanout.remove(byCall.id);
    }
    const [kept] = fanout['index'].all(); // what the socket was sent is not observable otherwise
    expect(kept!.seen.size).toBe(0);
  });

  it('sends no cue at or before the listed lastSeq of a call it subscribes to again', async () => {
    const { store, fanout } = instanceWithFeed();
    const { socket, sink } = await socketKeepingOne(fanout);
    const info = { tenant: 'acme', callId: 'c0', agentId: 'a1' };
    const call = await ownCall(store, info);
    await call.start();
    const { epoch } = await store.cues.numbering(info);
    const first = await subscribedWith(fanout, sink, { callId: 'c0' }, new Map([['c0', { epoch, seq: 0, info }]]));
    await call.cue('limit');
    fanout.remove(first.id);
    await call.cue('warning');
    await call.cue('transfer');
    socket.length = 0;
    const again = await fanout.add('acme', { callId: 'c0' }, sink, false);
    await call.cue('release'); // while its replay is read: the listing counts it
    again.start(new Map([['c0', { epoch, seq: 4, info }]]), new Set());
    await call.cue('limit');
    await vi.waitFor(() => expect(socket).toContain('c0 cue 5'));
    expect(socket).toEqual(['c0 cue 5']);
  });

  it('sends no cue at or before the listed lastSeq of a call started again since it last followed it', async () => {
    const { store, fanout } = instanceWithFeed();
    const { socket, sink } = await socketKeepingOne(fanout);
    const info = { tenant: 'acme', callId: 'c0', agentId: 'a1' };
    const first = await subscribedWith(fanout, sink, { callId: 'c0' }, new Map());
    const before = await ownCall(store, info);
    await before.start();
    await before.cue('limit');
    await before.end();
    fanout.remove(first.id);
    await store.directory.reopened(info);
    const after = await ownCall(store, info);
    await after.start();
    await after.cue('limit');
    socket.length = 0;
    const again = await fanout.add('acme', { callId: 'c0' }, sink, false);
    await after.cue('warning'); // while its replay is read: the listing counts it
    const { epoch } = await store.cues.numbering(info);
    again.start(new Map([['c0', { epoch, seq: 2, info }]]), new Set());
    await after.cue('transfer');
    await vi.waitFor(() => expect(socket).toContain('c0 cue 3'));
    expect(socket).toEqual(['c0 cue 3']);
  });

  it('goes on from where the socket stands when the subscription that carried the call is removed before the new one starts', async () => {
    const { store, fanout } = instanceWithFeed();
    const socket: string[] = [];
    const sink = (event: SubscriberEvent) => void socket.push(shown(event));
    const info = { tenant: 'acme', callId: 'c1', agentId: 'a1' };
    const call = await ownCall(store, info);
    await call.start();
    const { epoch } = await store.cues.numbering(info);
    const byCall = await subscribedWith(fanout, sink, { callId: 'c1' }, new Map([['c1', { epoch, seq: 0, info }]]));
    await call.cue('limit');
    // The call's own scope comes first: the call's subscription still carries it while the agent's replay is read.
    const byAgent = await fanout.add('acme', { agentId: 'a1' }, sink, false);
    await call.cue('warning'); // after the agent's listing (lastSeq 1)
    fanout.remove(byCall.id);
    byAgent.start(new Map([['c1', { epoch, seq: 1, info }]]), new Set());
    await call.cue('transfer');
    await vi.waitFor(() => expect(socket).toContain('c1 cue 3'));
    expect(socket).toEqual(['c1 cue 1', 'c1 cue 2', 'c1 cue 3']);
  });
});
