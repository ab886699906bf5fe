import type { Envelope } from '../../../src/state/call-state.js';
import { localFeed } from '../../../src/fanout/event-feed.js';
import { createMetrics } from '../../../src/metrics.js';
import { SharedHub } from '../../../src/state/shared-hub.js';
import { clockedMemoryStore } from '../../helpers/clocked-memory-store.js';
import { sharedHubContract } from '../../helpers/shared-hub-contract.js';

// Instances in one process over one memory store: the store announces (and tells of posted acks) to every hub.
sharedHubContract('memory', () => {
  const hubs: SharedHub[] = [];
  const { store, leaseTtlMs, expireLeases } = clockedMemoryStore({
    replayBuffer: 64,
    transcriptLines: 3,
    announce: (e: Envelope) => hubs.forEach((hub) => hub.deliver(e)),
    acksPosted: (call) => hubs.forEach((hub) => hub.acksPosted(call)),
  });
  return {
    async instance(name, hooks = {}) {
      const hub = new SharedHub({
        store,
        feed: localFeed,
        holder: name,
        leaseTtlMs,
        leaseWaitMs: 0,
        endedCallRetention: 10,
        orphanSweepMs: 3_600_000, // the tests sweep when they mean to
        metrics: createMetrics(),
        ...hooks,
      });
      hubs.push(hub);
      return hub;
    },
    expireLeases,
  };
});
