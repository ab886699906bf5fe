import type { Histogram } from 'prom-client';
import type { CallStore } from './call-state.js';

/** The store, observing in `roundTrip` how long each ladder step that appends cues takes to commit. */
export function timeCueAppends(store: CallStore, roundTrip: Histogram): CallStore {
  const { ladders } = store;
  return {
    ...store,
    ladders: {
      ...ladders,
      async commit(info, lease, transition) {
        if (transition.cues.length === 0) return ladders.commit(info, lease, transition);
        const stop = roundTrip.startTimer();
        await ladders.commit(info, lease, transition);
        stop();
      },
    },
  };
}
