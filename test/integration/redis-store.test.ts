import type { Envelope } from '../../src/state/call-state.js';
import { redisCallStore } from '../../src/state/redis-store.js';
import { callStoreContract } from '../helpers/call-store-contract.js';
import { onRedis } from '../helpers/on-redis.js';

onRedis('Redis call store', (redis) => {
  callStoreContract('Redis', async () => {
    const announced: Envelope[] = [];
    const listener = redis().client();
    listener.on('pmessage', (_pattern: string, _channel: string, message: string) =>
      announced.push(JSON.parse(message) as Envelope),
    );
    await listener.psubscribe('cg:events:*:tenant'); // every event is published on its tenant's channel too
    const leaseTtlMs = 300;
    return {
      store: redisCallStore(redis().client(), { replayBuffer: 4, transcriptLines: 3 }),
      announced,
      leaseTtlMs,
      replayBuffer: 4,
      transcriptLines: 3,
      expireLeases: () => new Promise((resolve) => setTimeout(resolve, leaseTtlMs + 100)),
    };
  });
});
