import { callStoreContract } from '../../helpers/call-store-contract.js';
import type { Envelope } from '../../../src/state/call-state.js';
import { memoryCallStore } from '../../../src/state/memory-store.js';

callStoreContract('memory', () => {
  const announced: Envelope[] = [];
  let now = 0;
  const leaseTtlMs = 1000;
  const store = memoryCallStore({
    replayBuffer: 4,
    transcriptLines: 3,
    announce: (e) => announced.push(e),
    now: () => now,
  });
  return {
    store,
    announced,
    leaseTtlMs,
    replayBuffer: 4,
    transcriptLines: 3,
    expireLeases: async () => void (now += leaseTtlMs + 1),
  };
});
