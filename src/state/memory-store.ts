import { ReplayBuffer } from './replay-buffer.js';
import type { LadderState } from '../ladder/state.js';
import type { Cue } from '../protocol/cue.js';
import type { AlertClaimed, CallSummary, SubscriberEvent, TranscriptEvent } from '../protocol/subscribe-messages.js';
import {
  callKey,
  FencedError,
  NumberingError,
  type Announce,
  type CallInfo,
  type CallRef,
  type CallStore,
  type CueReplay,
  type Lease,
  type Numbering,
  type PostedAck,
  type Transition,
} from './call-state.js';
import { epochMatches, newEpoch } from './epoch.js';

export interface MemoryStoreOptions {
  /** Cues kept per call for replay. */
  replayBuffer: number;
  /** Final lines kept per call. */
  transcriptLines: number;
  /** Hands every event to this instance's subscriptions. */
  announce: Announce;
  /** Acks were posted for the call: its driver takes them (unset: nobody is told, the next opening finds them). */
  acksPosted?: (call: CallRef) => void;
  /** The clock leases expire by (tests move it). */
  now?: () => number;
}

interface MemoryCall {
  numbering: Numbering;
  cues: ReplayBuffer<Cue>;
  ladder: LadderState | undefined;
  lines: TranscriptEvent[];
  claims: Map<number, AlertClaimed>;
  acks: PostedAck[];
  /** Signed Twilio webhooks feed the call: its other producers are refused. */
  signedWebhooksOnly: boolean;
  lease: (Lease & { expiresAt: number }) | undefined;
  /** The last lease token handed out for this call. */
  fence: number;
  entry: { info: CallInfo; summary: CallSummary } | undefined;
}

/** Every call's shared state in this process: one instance, as the service always ran. */
export function memoryCallStore(options: MemoryStoreOptions): CallStore {
  const now = options.now ?? Date.now;
  const calls = new Map<string, MemoryCall>();
  /** Per tenant, its ended calls' keys, oldest first. */
  const endedCalls = new Map<string, Set<string>>();

  /** What a call numbered afresh holds: a new epoch and nothing of any call before it. */
  const freshRun = (): Pick<
    MemoryCall,
    'numbering' | 'cues' | 'ladder' | 'lines' | 'claims' | 'acks' | 'signedWebhooksOnly'
  > => ({
    numbering: { epoch: newEpoch(), lastSeq: 0 },
    cues: new ReplayBuffer(options.replayBuffer),
    ladder: undefined,
    lines: [],
    claims: new Map(),
    acks: [],
    signedWebhooksOnly: false,
  });
  const callOf = (call: CallRef): MemoryCall => {
    let found = calls.get(callKey(call));
    if (!found) {
      found = { ...freshRun(), lease: undefined, fence: 0, entry: undefined };
      calls.set(callKey(call), found);
    }
    return found;
  };
  const held = (call: MemoryCall): MemoryCall['lease'] =>
    call.lease && call.lease.expiresAt > now() ? call.lease : undefined;
  const fenced = (ref: CallRef, lease: Lease): MemoryCall => {
    const call = calls.get(callKey(ref));
    const current = call && held(call);
    if (!call || current?.holder !== lease.holder || current.token !== lease.token) {
      throw new FencedError(`call ${ref.callId}: lease ${lease.token} of ${lease.holder} is no longer held`);
    }
    return call;
  };
  const announce = (info: CallInfo, event: SubscriberEvent): void => options.announce({ info, event });

  return {
    leases: {
      async acquire(ref, holder, ttlMs) {
        const call = callOf(ref);
        const current = held(call);
        if (current && current.holder !== holder) return undefined;
        const token = current?.token ?? ++call.fence;
        call.lease = { holder, token, expiresAt: now() + ttlMs };
        return { holder, token };
      },
      async renew(ref, lease, ttlMs) {
        const call = calls.get(callKey(ref));
        const current = call && held(call);
        if (!current || current.holder !== lease.holder || current.token !== lease.token) return false;
        current.expiresAt = now() + ttlMs;
        return true;
      },
      async release(ref, lease) {
        const call = calls.get(callKey(ref));
        if (call?.lease?.holder === lease.holder && call.lease.token === lease.token) call.lease = undefined;
      },
      async held(ref) {
        const call = calls.get(callKey(ref));
        return call !== undefined && held(call) !== undefined;
      },
    },
    cues: {
      async numbering(ref) {
        return { ...callOf(ref).numbering };
      },
      async since(ref, afterSeq): Promise<CueReplay> {
        return callOf(ref).cues.since(afterSeq);
      },
      async get(ref, seq) {
        return calls.get(callKey(ref))?.cues.get(seq);
      },
    },
    ladders: {
      async load(ref) {
        return calls.get(callKey(ref))?.ladder;
      },
      async commit(info, lease, transition: Transition) {
        const call = fenced(info, lease);
        transition.cues.forEach((cue, i) => {
          if (cue.seq !== call.numbering.lastSeq + 1 + i)
            throw new NumberingError(
              `call ${info.callId}: cue seq ${cue.seq} does not follow ${call.numbering.lastSeq}`,
            );
        });
        call.ladder = transition.ladder;
        call.entry = { info, summary: transition.summary };
        for (const cue of transition.cues) {
          call.cues.push(cue);
          call.numbering.lastSeq = cue.seq;
          announce(info, { type: 'cue', cue });
        }
      },
      async restore(info, lease, numbering, ladder) {
        const call = fenced(info, lease);
        call.numbering = { ...numbering };
        call.ladder = ladder;
      },
    },
    transcripts: {
      async append(info, lease, line) {
        const call = fenced(info, lease);
        const { lines } = call;
        if (line.isFinal) {
          if (lines.at(-1)?.segmentId === line.segmentId) lines.pop();
          lines.push(line);
          if (lines.length > options.transcriptLines) lines.shift();
        }
        announce(info, line);
      },
      async lines(ref) {
        return [...(calls.get(callKey(ref))?.lines ?? [])];
      },
    },
    claims: {
      async claim(info, claim) {
        const call = callOf(info);
        const standing = call.claims.get(claim.seq);
        if (standing) return { standing, fresh: false };
        call.claims.set(claim.seq, claim);
        announce(info, claim);
        return { standing: claim, fresh: true };
      },
      async list(ref) {
        return [...(calls.get(callKey(ref))?.claims.values() ?? [])];
      },
    },
    acks: {
      async post(ref, ack) {
        const call = calls.get(callKey(ref));
        if (!call?.entry || call.entry.summary.ended) return { kept: false };
        const { epoch } = call.entry.summary;
        if (!epochMatches(ack.epoch, epoch)) return { kept: false, liveEpoch: epoch };
        call.acks.push({ step: ack.step, epoch: ack.epoch });
        options.acksPosted?.(ref);
        return { kept: true };
      },
      async take(info, lease) {
        return fenced(info, lease).acks.splice(0);
      },
    },
    signedWebhooks: {
      async mark(info, lease) {
        fenced(info, lease).signedWebhooksOnly = true;
      },
      async marked(ref) {
        const call = calls.get(callKey(ref));
        return call?.entry?.summary.ended === false && call.signedWebhooksOnly;
      },
    },
    directory: {
      async update(info, lease, summary, event) {
        fenced(info, lease).entry = { info, summary };
        if (event) announce(info, event);
      },
      async announce(info, lease, event) {
        fenced(info, lease);
        announce(info, event);
      },
      async entry(ref) {
        return calls.get(callKey(ref))?.entry;
      },
      async list(tenant) {
        const found: { info: CallInfo; summary: CallSummary }[] = [];
        for (const call of calls.values()) if (call.entry?.info.tenant === tenant) found.push(call.entry);
        return found;
      },
      async tenants() {
        return [...new Set([...calls.values()].flatMap((call) => (call.entry ? [call.entry.info.tenant] : [])))];
      },
      async ended(ref, retention) {
        let ended = endedCalls.get(ref.tenant);
        if (!ended) endedCalls.set(ref.tenant, (ended = new Set()));
        ended.delete(callKey(ref));
        ended.add(callKey(ref));
        while (ended.size > retention) {
          const [forgotten] = ended;
          ended.delete(forgotten!);
          calls.delete(forgotten!);
        }
      },
      async reopened(ref) {
        endedCalls.get(ref.tenant)?.delete(callKey(ref));
        const call = calls.get(callKey(ref));
        if (call) Object.assign(call, freshRun());
      },
    },
    ready: () => true,
    close: async () => undefined,
  };
}
