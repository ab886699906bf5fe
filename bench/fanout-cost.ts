/**
 * `npx tsx bench/fanout-cost.ts [subscribers,...] [events]`: an instance's per-event fan-out
 * cost for one call's events while N subscribers of other agents' calls are connected (issue 14:
 * with 2,000 subscribers the cost stays flat). In process, no sockets: each sink only counts.
 */
import { localFeed } from '../src/fanout/event-feed.js';
import { LocalFanout } from '../src/fanout/local-fanout.js';
import type { SubscriberEvent } from '../src/protocol/subscribe-messages.js';
import type { CallInfo } from '../src/state/call-state.js';
import { memoryCallStore } from '../src/state/memory-store.js';

const counts = (process.argv[2] ?? '10,2000').split(',').map(Number);
const events = Number(process.argv[3] ?? 200_000);
const ROUNDS = 5;
const TENANT = 'acme';

/** ns per event delivered to the one subscriber of the call, median of ROUNDS, with `subscribers` connected in all. */
async function fanoutNsPerEvent(subscribers: number): Promise<{ nsPerEvent: number; delivered: number }> {
  const store = memoryCallStore({ replayBuffer: 256, transcriptLines: 50, announce: () => undefined });
  const fanout = new LocalFanout({ feed: localFeed, store });
  let delivered = 0;
  // Subscriber 0 follows the call's agent; the others follow other agents (one sink each, as sockets are).
  for (let n = 0; n < subscribers; n++) {
    const sink = n === 0 ? () => void delivered++ : () => undefined;
    const { start } = await fanout.add(TENANT, { agentId: `agent-${n}` }, sink, true);
    start(new Map(), new Set());
  }
  const info: CallInfo = { tenant: TENANT, callId: 'call-0', agentId: 'agent-0', teamId: 'team-0' };
  const event: SubscriberEvent = {
    type: 'transcript',
    callId: info.callId,
    segmentId: 'seg-1',
    speaker: 'customer',
    isFinal: true,
    text: 'you people are useless',
    startMs: 0,
    endMs: 1500,
  };
  const rounds: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = process.hrtime.bigint();
    for (let n = 0; n < events; n++) fanout.deliver({ info, event });
    rounds.push(Number(process.hrtime.bigint() - started) / events);
  }
  return { nsPerEvent: rounds.sort((a, b) => a - b)[Math.floor(ROUNDS / 2)]!, delivered };
}

await fanoutNsPerEvent(counts[0]!); // warm-up: the first run also compiles
for (const subscribers of counts) {
  const { nsPerEvent, delivered } = await fanoutNsPerEvent(subscribers);
  console.log(JSON.stringify({ subscribers, events: events * ROUNDS, delivered, nsPerEvent: Math.round(nsPerEvent) }));
}
