import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisFeed } from '../../src/fanout/event-feed.js';
import { advance } from '../../src/ladder/ladder.js';
import { loadPolicy } from '../../src/ladder/policy.js';
import type { SubscriberEvent } from '../../src/protocol/subscribe-messages.js';
import { redisCallStore } from '../../src/state/redis-store.js';
import { SharedHub, type LadderRun } from '../../src/state/shared-hub.js';
import { REDIS_MISSING, startRedis, type TestRedis } from '../helpers/redis.js';
import { sharedHubContract, type HubFixture } from '../helpers/shared-hub-contract.js';

if (REDIS_MISSING) {
  describe('shared hub over Redis', () => it.skip(`skipped: ${REDIS_MISSING}`, () => undefined));
} else {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis?.stop());

  const leaseTtlMs = 300;
  // Each instance as the service runs it: a store connection and a Pub/Sub connection of its own.
  const fixture = (): HubFixture => ({
    async instance(name, onLost) {
      const store = redisCallStore(redis.client(), { replayBuffer: 64, transcriptLines: 3 });
      const hub: SharedHub = new SharedHub({
        store,
        feed: redisFeed(redis.client(), (envelope) => hub.deliver(envelope), () => void hub.catchUp().catch(() => undefined)),
        holder: `${name}-${Math.random().toString(36).slice(2, 8)}`,
        leaseTtlMs,
        endedCallRetention: 10,
        ...(onLost ? { onLost } : {}),
      });
      return hub;
    },
    expireLeases: () => new Promise((resolve) => setTimeout(resolve, leaseTtlMs + 100)),
  });

  sharedHubContract('Redis', fixture);

  describe('a Redis restart under a live call (appendonly yes, appendfsync everysec)', () => {
    const abuse = (n: number): LadderRun => (state) =>
      advance(
        state,
        {
          type: 'utterance',
          utterance: { utteranceId: `r${n}`, speaker: 'customer', text: 'you useless idiot', verdict: { label: 'abusive', scores: { neutral: 0, venting: 0, abusive: 0.99, threat: 0 }, spans: [] }, startMs: n * 3000, endMs: n * 3000 + 2000 },
          context: [],
        },
        loadPolicy(undefined),
      );

    it('keeps what was committed and the ladder step; subscribers on another instance get every cue once, in order', async () => {
      const a = await fixture().instance('a');
      const b = await fixture().instance('b');
      const events: SubscriberEvent[] = [];
      const info = { tenant: 'acme', callId: 'restart-call', agentId: 'agent-r', teamId: 'team-r' };
      const subscribed = await b.subscribe('acme', { agentId: 'agent-r' }, (e) => void events.push(e), { transcript: false, resume: {} });
      subscribed.start();
      const call = (await a.openCall(info))!;
      const [first] = await a.apply(call, abuse(1));

      await redis.kill();
      await redis.restart();

      const [second] = await a.apply(call, abuse(2));
      expect(second).toMatchObject({ seq: 2, type: 'warn', epoch: first!.epoch });
      const [third] = await a.apply(call, abuse(3));
      expect(third).toMatchObject({ seq: 3, type: 'transfer' });
      await a.endCall(call);
      for (let i = 0; i < 500 && !events.some((e) => e.type === 'call' && e.event === 'ended'); i++) await new Promise((r) => setTimeout(r, 10));
      const cues = events.flatMap((e) => (e.type === 'cue' ? [`${e.cue.seq} ${e.cue.type}`] : []));
      expect(cues).toEqual(['1 set-limit', '2 warn', '3 transfer']);
      a.close();
      b.close();
    });
  });
}
