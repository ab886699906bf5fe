import { callStoreContract } from '../../helpers/call-store-contract.js';
import { clockedMemoryStore } from '../../helpers/clocked-memory-store.js';
import type { Envelope } from '../../../src/state/call-state.js';

callStoreContract('memory', () => {
  const announced: Envelope[] = [];
  return {
    ...clockedMemoryStore({ replayBuffer: 4, transcriptLines: 3, announce: (e) => announced.push(e) }),
    announced,
    replayBuffer: 4,
    transcriptLines: 3,
  };
});
