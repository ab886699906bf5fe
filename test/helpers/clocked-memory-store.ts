import type { CallStore } from '../../src/state/call-state.js';
import { memoryCallStore, type MemoryStoreOptions } from '../../src/state/memory-store.js';

/** A memory store whose leases run on a clock the test moves instead of waiting. */
export function clockedMemoryStore(options: Omit<MemoryStoreOptions, 'now'>): {
  store: CallStore;
  leaseTtlMs: number;
  /** Moves the clock past every lease now held. */
  expireLeases(): Promise<void>;
} {
  let now = 0;
  const leaseTtlMs = 1000;
  return {
    store: memoryCallStore({ ...options, now: () => now }),
    leaseTtlMs,
    expireLeases: async () => void (now += leaseTtlMs + 1),
  };
}
