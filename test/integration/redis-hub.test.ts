import { describe, expect, it } from 'vitest';
import { FEED_CONNECTION, redisFeed } from '../../src/fanout/event-feed.js';
import { advance } from '../../src/ladder/ladder.js';
import { loadPolicy } from '../../src/ladder/policy.js';
import { initialLadderState } from '../../src/ladder/state.js';
import type { SubscriberEvent } from '../../src/protocol/subscribe-messages.js';
import { callKeys } from '../../src/state/redis-keys.js';
import { redisCallStore } from '../../src/state/redis-store.js';
import { createMetrics } from '../../src/metrics.js';
import type { LadderRun } from '../../src/state/cue-numbering.js';
import { SharedHub } from '../../src/state/shared-hub.js';
import { onRedis } from '../helpers/on-redis.js';
import { sharedHubContract, type HubFixture } from '../helpers/shared-hub-contract.js';

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
  // Each instance as the service runs it: a store connection and a Pub/Sub connection of its own.
  const fixture = (): HubFixture => ({
    async instance(name, hooks = {}) {
      const store = redisCallStore(redis().client(), { replayBuffer: 64, transcriptLines: 3 });
      const hub: SharedHub = new SharedHub({
        store,
        feed: redisFeed(
          redis().client(FEED_CONNECTION),
          (envelope) => hub.deliver(envelope),
          () => void hub.catchUp().catch(() => undefined),
        ),
        holder: `${name}-${Math.random().toString(36).slice(2, 8)}`,
        leaseTtlMs,
        endedCallRetention: 10,
        orphanSweepMs: 3_600_000, // the tests sweep when they mean to
        metrics: createMetrics(),
        ...hooks,
      });
      return hub;
    },
    expireLeases: () => new Promise((resolve) => setTimeout(resolve, leaseTtlMs + 100)),
  });

  sharedHubContract('Redis', fixture);

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
      for (let i = 0; i < 500 && !events.some((e) => e.type === 'call' && e.event === 'ended'); i++)
        await new Promise((r) => setTimeout(r, 10));
      expect(events.flatMap((e) => (e.type === 'cue' ? [`${e.cue.seq} ${e.cue.type}`] : []))).toEqual([
        '1 set-limit',
        '2 warn',
      ]);
      a.close();
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
      for (let i = 0; i < 500 && !events.some((e) => e.type === 'call' && e.event === 'ended'); i++)
        await new Promise((r) => setTimeout(r, 10));
      const cues = events.flatMap((e) => (e.type === 'cue' ? [`${e.cue.seq} ${e.cue.type}`] : []));
      expect(cues).toEqual(['1 set-limit', '2 warn', '3 transfer']);
      a.close();
      b.close();
    });
  });
});
