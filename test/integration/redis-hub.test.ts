import { describe, expect, it, vi } from 'vitest';
import { FEED_CONNECTION, redisFeed } from '../../src/fanout/event-feed.js';
import { advance } from '../../src/ladder/ladder.js';
import { loadPolicy } from '../../src/ladder/policy.js';
import { initialLadderState } from '../../src/ladder/state.js';
import type { SubscriberEvent, SubscriptionScope } from '../../src/protocol/subscribe-messages.js';
import type { OwnedCall } from '../../src/state/call-ownership.js';
import type { CallInfo, CallStore, Envelope } from '../../src/state/call-state.js';
import { callKeys, inboxChannel } from '../../src/state/redis-keys.js';
import { redisCallStore } from '../../src/state/redis-store.js';
import { createMetrics } from '../../src/metrics.js';
import type { LadderRun } from '../../src/state/cue-numbering.js';
import { SharedHub } from '../../src/state/shared-hub.js';
import { onRedis } from '../helpers/on-redis.js';
import { sharedHubContract, type HubFixture } from '../helpers/shared-hub-contract.js';
import { customerLine } from '../helpers/store-inputs.js';
import { until } from '../helpers/until.js';

onRedis('shared hub over Redis', (redis) => {
  /** The real ladder reading the n-th abusive customer line. */
  const abuse =
    (n: number): LadderRun =>
    (state) =>
      advance(
        state,
        {
          type: 'utterance',
          utterance: {
            utteranceId: `r${n}`,
            speaker: 'customer',
            text: 'you useless idiot',
            verdict: { label: 'abusive', scores: { neutral: 0, venting: 0, abusive: 0.99, threat: 0 }, spans: [] },
            startMs: n * 3000,
            endMs: n * 3000 + 2000,
          },
          context: [],
        },
        loadPolicy(undefined),
      );

  const leaseTtlMs = 300;
  /**
   * An instance as the service runs it: a store connection and a Pub/Sub connection of its own;
   * `heard` sees what its feed delivers; `storeOf` may stand in front of its store.
   */
  const instance = async (
    name: string,
    hooks: Parameters<HubFixture['instance']>[1] = {},
    heard: (envelope: Envelope) => void = () => undefined,
    storeOf: (store: CallStore) => CallStore = (store) => store,
  ): Promise<SharedHub> => {
    const store = storeOf(redisCallStore(redis().client(), { replayBuffer: 64, transcriptLines: 3 }));
    const holder = `${name}-${Math.random().toString(36).slice(2, 8)}`;
    const hub: SharedHub = new SharedHub({
      store,
      feed: redisFeed(
        redis().client(FEED_CONNECTION),
        (envelope) => {
          heard(envelope);
          hub.deliver(envelope);
        },
        () => void hub.catchUp().catch(() => undefined),
        { channel: inboxChannel(holder), posted: (call) => hub.acksPosted(call) },
      ),
      holder,
      leaseTtlMs,
      endedCallRetention: 10,
      orphanSweepMs: 3_600_000, // the tests sweep when they mean to
      metrics: createMetrics(),
      ...hooks,
    });
    return hub;
  };
  const fixture = (): HubFixture => ({
    instance: (name, hooks) => instance(name, hooks),
    expireLeases: () => new Promise((resolve) => setTimeout(resolve, leaseTtlMs + 100)),
  });

  sharedHubContract('Redis', fixture);

  describe('fan-out by scope channel', () => {
    it('brings an instance the events of the calls its subscribers cover and no others, each once, also when scopes overlap', async () => {
      const a = await instance('a');
      const heard: Envelope[] = [];
      const b = await instance('b', {}, (envelope) => void heard.push(envelope));
      const desk: SubscriberEvent[] = [];
      const watched = { tenant: 'acme', callId: 'scoped-1', agentId: 'agent-s1', teamId: 'team-s' };
      const other = { tenant: 'acme', callId: 'scoped-2', agentId: 'agent-s2', teamId: 'team-s' };
      const subscribe = async (scope: SubscriptionScope, sink: (event: SubscriberEvent) => void) =>
        (await b.subscribe('acme', scope, sink, { transcript: false, resume: {} })).start();
      // One socket (one sink), two scopes covering the same call: its events come on two channels.
      const deskSink = (e: SubscriberEvent) => void desk.push(e);
      await subscribe({ agentId: watched.agentId }, deskSink);
      await subscribe({ callId: watched.callId }, deskSink);

      const run = async (info: CallInfo, lines: number) => {
        const call = (await a.openCall(info))!;
        for (let n = 1; n <= lines; n++) await a.apply(call, abuse(n));
        await a.endCall(call);
      };
      await run(other, 1);
      await run(watched, 2);
      const endOf = (events: SubscriberEvent[], callId: string) => () =>
        events.some((e) => e.type === 'call' && e.event === 'ended' && e.call.callId === callId);
      await until(endOf(desk, watched.callId));
      const cuesOf = (events: SubscriberEvent[]) =>
        events.flatMap((e) => (e.type === 'cue' ? [`${e.cue.callId} ${e.cue.seq} ${e.cue.type}`] : []));
      expect(cuesOf(desk)).toEqual(['scoped-1 1 set-limit', 'scoped-1 2 warn']);
      expect(desk.filter((e) => e.type === 'call' && e.event === 'ended').length).toBe(1);
      expect(heard.map((envelope) => envelope.info.callId)).not.toContain(other.callId);
      expect(cuesOf(heard.map((envelope) => envelope.event))).toEqual(['scoped-1 1 set-limit', 'scoped-1 2 warn']);

      // A supervisor's tenant scope on the same instance: now every call of the tenant is heard, still once.
      const supervisor: SubscriberEvent[] = [];
      await subscribe({ tenant: true }, (e) => void supervisor.push(e));
      heard.length = 0;
      desk.length = 0;
      const third = { ...other, callId: 'scoped-3' };
      await run(third, 1);
      await run({ ...watched, callId: 'scoped-4' }, 1);
      await until(endOf(supervisor, 'scoped-4'));
      await until(endOf(desk, 'scoped-4'));
      expect(cuesOf(heard.map((envelope) => envelope.event))).toEqual(['scoped-3 1 set-limit', 'scoped-4 1 set-limit']);
      expect(cuesOf(supervisor)).toEqual(['scoped-3 1 set-limit', 'scoped-4 1 set-limit']);
      expect(cuesOf(desk)).toEqual(['scoped-4 1 set-limit']);
      a.close();
      b.close();
    });

    it('sends a socket that adds an overlapping scope while lines flow every line once, in order', async () => {
      const a = await instance('a');
      const b = await instance('b');
      const info = { tenant: 'acme', callId: 'overlap-1', agentId: 'agent-o', teamId: 'team-o' };
      const texts: string[] = [];
      const sink = (e: SubscriberEvent) => void (e.type === 'transcript' && texts.push(e.text));
      const subscribe = async (scope: SubscriptionScope) =>
        (await b.subscribe('acme', scope, sink, { transcript: true, resume: {} })).start();
      await subscribe({ agentId: info.agentId });
      const call = (await a.openCall(info))!;
      const said = Array.from({ length: 60 }, (_, n) => `line ${n}`);
      for (const [n, text] of said.entries()) {
        // Partial lines: nothing kept to replay, so every line the socket gets came live.
        const sent = a.transcript(call, customerLine(info, `s${n}`, text, false));
        if (n === 20) await subscribe({ teamId: info.teamId });
        if (n === 40) await subscribe({ tenant: true });
        await sent;
      }
      await until(() => texts.length >= said.length);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(texts).toEqual(said);
      a.close();
      b.close();
    });
  });

  describe('a socket adding a scope that overlaps one it holds, while the new replay is read', () => {
    /** A store whose next directory read waits until released (the new subscription is registered by then). */
    const heldDirectoryRead = () => {
      let hold = false;
      let reached = (): void => undefined;
      let release = (): void => undefined;
      const wrap = (store: CallStore): CallStore => ({
        ...store,
        directory: {
          ...store.directory,
          async list(tenant) {
            if (hold) {
              hold = false;
              reached();
              await new Promise<void>((resolve) => (release = resolve));
            }
            return store.directory.list(tenant);
          },
        },
      });
      return {
        wrap,
        /** Holds the next read; resolves once it is being held. */
        holdNext: () =>
          new Promise<void>((resolve) => {
            hold = true;
            reached = resolve;
          }),
        release: () => release(),
      };
    };

    it.each([
      ['without resume', false],
      ['resuming the call from its newest cue', true],
    ])('gets a cue raised meanwhile once, in order (%s)', async (_, resumes) => {
      const read = heldDirectoryRead();
      const heard: Envelope[] = [];
      const a = await instance('a');
      const b = await instance('b', {}, (envelope) => void heard.push(envelope), read.wrap);
      const info = { tenant: 'acme', callId: `overlap-load-${resumes}`, agentId: 'agent-ol', teamId: 'team-ol' };
      const socket: SubscriberEvent[] = [];
      const sink = (e: SubscriberEvent) => void socket.push(e);
      const cues = () => socket.flatMap((e) => (e.type === 'cue' ? [`${e.cue.seq} ${e.cue.type}`] : []));
      const heardCue = (seq: number) => () => heard.some(({ event }) => event.type === 'cue' && event.cue.seq === seq);
      /** As the route does: the replay, then live events. */
      const opened = async (subscribing: ReturnType<SharedHub['subscribe']>) => {
        const { replay, start } = await subscribing;
        for (const event of replay) sink(event);
        start();
      };
      await opened(b.subscribe('acme', { tenant: true }, sink, { transcript: false, resume: {} }));
      const call = (await a.openCall(info))!;
      const [first] = await a.apply(call, abuse(1));
      await until(() => cues().length === 1);

      const reading = read.holdNext();
      const resume = resumes ? { [info.callId]: { epoch: first!.epoch, seq: 1 } } : {};
      // The call's own scope: its bucket comes before the tenant's, so it takes the call's live cues over.
      const adding = b.subscribe('acme', { callId: info.callId }, sink, { transcript: false, resume });
      await reading;
      await a.apply(call, abuse(2));
      await until(heardCue(2));
      read.release();
      await opened(adding);

      await a.apply(call, abuse(3));
      await a.endCall(call);
      await until(() => socket.some((e) => e.type === 'call' && e.event === 'ended'));
      expect(cues()).toEqual(['1 set-limit', '2 warn', '3 transfer']);
      a.close();
      b.close();
    });
  });

  describe('the ack inbox during a rolling upgrade', () => {
    it('reads an ack an instance from before acks carried epochs posted as a bare step, beside a new one', async () => {
      const a = await fixture().instance('a');
      const info = { tenant: 'acme', callId: 'bare-ack', agentId: 'agent-b' };
      const call = (await a.openCall(info))!;
      await redis()
        .client()
        .rpush(callKeys(info).acks, 'limit-set', JSON.stringify({ step: 'transferred', epoch: call.epoch }));
      expect(await a.takeAcks(call)).toEqual([{ step: 'limit-set' }, { step: 'transferred', epoch: call.epoch }]);
      await a.endCall(call);
      a.close();
    });

    it('posts an ack without an epoch as the bare step that instances from before read, one naming an epoch as JSON', async () => {
      const a = await fixture().instance('a');
      const b = await fixture().instance('b');
      const info = { tenant: 'acme', callId: 'bare-post', agentId: 'agent-b' };
      const call = (await a.openCall(info))!;
      expect(await b.postAck(info, { step: 'limit-set' })).toEqual({ kept: true });
      expect(await b.postAck(info, { step: 'transferred', epoch: call.epoch })).toEqual({ kept: true });
      expect(await redis().client().lrange(callKeys(info).acks, 0, -1)).toEqual([
        'limit-set',
        JSON.stringify({ step: 'transferred', epoch: call.epoch }),
      ]);
      expect(await a.takeAcks(call)).toEqual([{ step: 'limit-set' }, { step: 'transferred', epoch: call.epoch }]);
      await a.endCall(call);
      a.close();
      b.close();
    });
  });

  describe('Redis that lost its last writes (restarted without them)', () => {
    it('gets the owner’s ladder and numbering back: the call goes on in the same epoch, the lost cues a gap', async () => {
      const a = await fixture().instance('a');
      const events: SubscriberEvent[] = [];
      const info = { tenant: 'acme', callId: 'lost-writes', agentId: 'agent-l' };
      (
        await a.subscribe('acme', { callId: info.callId }, (e) => void events.push(e), {
          transcript: false,
          resume: {},
        })
      ).start();
      const call = (await a.openCall(info))!;
      const [first] = await a.apply(call, abuse(1));
      const keys = callKeys(info);
      const admin = redis().client();
      await admin.hset(keys.meta, 'lastSeq', 0, 'ladder', JSON.stringify(initialLadderState()));
      await admin.del(keys.cues);

      const [second] = await a.apply(call, abuse(2));
      expect(second).toMatchObject({ seq: 2, type: 'warn', epoch: first!.epoch });
      expect(
        await a.subscribe('acme', { callId: info.callId }, () => undefined, {
          transcript: false,
          resume: { [info.callId]: 0 },
        }),
      ).toMatchObject({
        replay: [
          { type: 'gap', callId: info.callId, afterSeq: 0, beforeSeq: 2 },
          { type: 'cue', cue: second },
        ],
      });
      await a.endCall(call);
      await until(() => events.some((e) => e.type === 'call' && e.event === 'ended'));
      expect(events.flatMap((e) => (e.type === 'cue' ? [`${e.cue.seq} ${e.cue.type}`] : []))).toEqual([
        '1 set-limit',
        '2 warn',
      ]);
      a.close();
    });
  });

  describe('Redis that lost the mark of a call signed Twilio webhooks feed', () => {
    const losses = [
      ['with its newest cues (the owner puts its numbering back)', ['cues', 'numbering']],
      ['with the lease, its numbering intact (the owner takes the lease back)', ['lease']],
    ] as const;
    /** Redis lost the call's mark, and what else `lost` names, as a restart without its last second does. */
    const lose = async (info: CallInfo, lost: readonly string[]) => {
      const keys = callKeys(info);
      const admin = redis().client();
      await admin.hdel(keys.meta, 'signedWebhooksOnly');
      if (lost.includes('numbering'))
        await admin.hset(keys.meta, 'lastSeq', 0, 'ladder', JSON.stringify(initialLadderState()));
      if (lost.includes('cues')) await admin.del(keys.cues);
      if (lost.includes('lease')) await admin.del(keys.lease);
    };

    it.each(losses)('has it written back by the owner’s next write, lost %s', async (_, lost) => {
      const a = await instance('a');
      const b = await instance('b');
      const info = { tenant: 'acme', callId: `lost-mark-${lost.join('-')}`, agentId: 'agent-m' };
      const call = (await a.openCall(info))!;
      await a.markSignedWebhooksOnly(call);
      await a.apply(call, abuse(1));
      await lose(info, lost);
      expect(await b.signedWebhooksOnly(info)).toBe(false);

      await a.apply(call, abuse(2));
      // B, which does not drive the call, reads the mark from Redis.
      expect(await b.signedWebhooksOnly(info)).toBe(true);
      a.close();
      b.close();
    });

    it.each(losses)(
      'has it written back by the next write of the instance that adopted the call from its orphan sweep, lost %s',
      async (_, lost) => {
        const info = { tenant: 'acme', callId: `adopted-mark-${lost.join('-')}`, agentId: 'agent-m' };
        const a = await instance('a');
        let adopted: Promise<OwnedCall | undefined> | undefined;
        // Calls other tests left behind are orphans too: B adopts only this one.
        const adopt = (orphan: CallInfo) => {
          if (orphan.callId === info.callId) adopted = b.openCall(orphan);
        };
        const b = await instance('b', { onOrphan: adopt });
        const owned = (await a.openCall(info))!;
        await a.markSignedWebhooksOnly(owned);
        await a.apply(owned, abuse(1));
        a.close();
        await a.releaseLeases();
        // Two sweeps in a row find the call without a lease: B adopts it (as its registry does, opening it).
        await b.sweepOrphans();
        await b.sweepOrphans();
        const call = (await adopted)!;
        await lose(info, lost);
        expect(await a.signedWebhooksOnly(info)).toBe(false);

        await b.apply(call, abuse(2));
        // A, which no longer drives the call, reads the mark from Redis.
        expect(await a.signedWebhooksOnly(info)).toBe(true);
        await b.endCall(call);
        b.close();
      },
    );
  });

  describe('an opening whose directory write fails after it took the call', () => {
    it('gives the call up: another instance takes it at once', async () => {
      const info = { tenant: 'acme', callId: 'failed-opening', agentId: 'agent-f' };
      const unreachable = new Error('Reached the max retries per request limit');
      const a = await instance('a', {}, undefined, (store) => {
        vi.spyOn(store.directory, 'update').mockRejectedValueOnce(unreachable);
        return store;
      });
      const b = await instance('b');
      await expect(a.openCall(info)).rejects.toBe(unreachable);
      // Kept, A's lease would be renewed for ever: B would wait it out in vain.
      expect(await b.openCall(info)).toMatchObject({ info, lastSeq: 0 });
      a.close();
      b.close();
    });
  });

  describe('a Redis restart under a live call (appendonly yes, appendfsync everysec)', () => {
    it('keeps what was committed and the ladder step; subscribers on another instance get every cue once, in order', async () => {
      const a = await fixture().instance('a');
      const b = await fixture().instance('b');
      const events: SubscriberEvent[] = [];
      const info = { tenant: 'acme', callId: 'restart-call', agentId: 'agent-r', teamId: 'team-r' };
      const subscribed = await b.subscribe('acme', { agentId: 'agent-r' }, (e) => void events.push(e), {
        transcript: false,
        resume: {},
      });
      subscribed.start();
      const call = (await a.openCall(info))!;
      const [first] = await a.apply(call, abuse(1));

      await redis().kill();
      await redis().restart();

      const [second] = await a.apply(call, abuse(2));
      expect(second).toMatchObject({ seq: 2, type: 'warn', epoch: first!.epoch });
      const [third] = await a.apply(call, abuse(3));
      expect(third).toMatchObject({ seq: 3, type: 'transfer' });
      await a.endCall(call);
      await until(() => events.some((e) => e.type === 'call' && e.event === 'ended'));
      const cues = events.flatMap((e) => (e.type === 'cue' ? [`${e.cue.seq} ${e.cue.type}`] : []));
      expect(cues).toEqual(['1 set-limit', '2 warn', '3 transfer']);
      a.close();
      b.close();
    });
  });
});
