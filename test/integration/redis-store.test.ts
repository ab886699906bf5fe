import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Envelope } from '../../src/state/call-state.js';
import { redisCallStore } from '../../src/state/redis-store.js';
import { callStoreContract } from '../helpers/call-store-contract.js';
import { REDIS_MISSING, startRedis, type TestRedis } from '../helpers/redis.js';

if (REDIS_MISSING) {
  describe('Redis call store', () => it.skip(`skipped: ${REDIS_MISSING}`, () => undefined));
} else {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis?.stop());

  callStoreContract('Redis', async () => {
    const announced: Envelope[] = [];
    const listener = redis.client();
    listener.on('pmessage', (_pattern: string, _channel: string, message: string) =>
      announced.push(JSON.parse(message) as Envelope),
    );
    await listener.psubscribe('cg:events:*');
    const leaseTtlMs = 300;
    return {
      store: redisCallStore(redis.client(), { replayBuffer: 4, transcriptLines: 3 }),
      announced,
      leaseTtlMs,
      replayBuffer: 4,
      transcriptLines: 3,
      expireLeases: () => new Promise((resolve) => setTimeout(resolve, leaseTtlMs + 100)),
    };
  });
}
