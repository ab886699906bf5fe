import { covers } from '../fanout/scope-index.js';
import type { CallSummary, ResumePoint, SubscriberEvent, SubscriptionScope } from '../protocol/subscribe-messages.js';
import type { CallInfo, CallStore } from './call-state.js';

export interface ReplayRequest {
  transcript: boolean;
  resume: Record<string, ResumePoint>;
  /** A token bound to an agent: only that agent's calls are listed and replayed. */
  boundAgent?: string | undefined;
}

/** Where a subscriber stands on a call: the newest cue it has had (or that came before it subscribed). */
export interface CuePoint {
  epoch: string;
  seq: number;
}

/** Where a subscriber starts on a listed call, with the call (which decides the subscriptions covering it). */
export type ListedPoint = CuePoint & { info: CallInfo };

interface Replay {
  /** The calls in scope, live or recently ended. */
  calls: CallSummary[];
  events: SubscriberEvent[];
  /** Per call: where the replay leaves the subscriber; a live cue at or before it is not sent again. */
  upTo: Map<string, ListedPoint>;
}

/**
 * What a new subscription is sent before live events, as the in-memory hub always did (see
 * docs/protocol.md): per call in scope its kept transcript lines, `reset`, `gap` and the cues
 * after the resume point; then the claims.
 */
export async function replayFor(
  store: CallStore,
  tenant: string,
  scope: SubscriptionScope,
  request: ReplayRequest,
): Promise<Replay> {
  const { boundAgent } = request;
  const entries = (await store.directory.list(tenant)).filter((entry) =>
    covers({ tenant, scope, boundAgent }, entry.info),
  );
  const upTo = new Map<string, ListedPoint>();
  const narrow = 'callId' in scope || 'agentId' in scope;
  const [perCall, claims] = await Promise.all([
    Promise.all(entries.map((entry) => replayOfCall(store, entry, narrow, request, upTo))),
    Promise.all(entries.map(({ info }) => store.claims.list(info))),
  ]);
  return { calls: entries.map((entry) => entry.summary), events: [...perCall.flat(), ...claims.flat()], upTo };
}

/** One call's part: its kept lines, then `reset`, `gap` and the cues after the resume point. */
async function replayOfCall(
  store: CallStore,
  { info, summary }: { info: CallInfo; summary: CallSummary },
  narrow: boolean,
  { transcript, resume }: ReplayRequest,
  upTo: Map<string, ListedPoint>,
): Promise<SubscriberEvent[]> {
  const point = Object.hasOwn(resume, info.callId) ? resume[info.callId] : undefined;
  const replay: SubscriberEvent[] =
    transcript && (point !== undefined || (narrow && !summary.ended)) ? await store.transcripts.lines(info) : [];
  if (point === undefined) {
    // Cues up to the listed lastSeq came before the subscription; a later one is sent once and in order.
    if (!summary.ended) upTo.set(info.callId, { epoch: summary.epoch, seq: summary.lastSeq, info });
    return replay;
  }
  const numbering = await store.cues.numbering(info);
  let afterSeq = typeof point === 'number' ? point : point.seq;
  if ((typeof point === 'object' && point.epoch !== numbering.epoch) || afterSeq > numbering.lastSeq) {
    replay.push({ type: 'reset', callId: info.callId, epoch: numbering.epoch });
    afterSeq = 0;
  }
  const { items, missing } = await store.cues.since(info, afterSeq);
  if (missing) replay.push({ type: 'gap', callId: info.callId, ...missing });
  for (const cue of items) replay.push({ type: 'cue', cue });
  upTo.set(info.callId, { epoch: numbering.epoch, seq: items.at(-1)?.seq ?? afterSeq, info });
  return replay;
}
