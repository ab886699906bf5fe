import { randomUUID } from 'node:crypto';
import type { CallInfo } from '../cues/cue-hub.js';
import { covers, ScopeIndex, type IndexedSubscription, type Sink } from '../fanout/scope-index.js';
import type { EventFeed } from '../fanout/event-feed.js';
import { initialLadderState, type CueDraft, type LadderState } from '../ladder/state.js';
import type { Cue, LadderStep } from '../protocol/cue.js';
import type {
  AlertClaimed,
  CallSummary,
  ResumePoint,
  SubscriberEvent,
  SubscriptionScope,
  TranscriptEvent,
  Unclassified,
} from '../protocol/subscribe-messages.js';
import { FencedError, type CallRef, type CallStore, type Envelope, type Lease } from './call-state.js';

export interface SharedHubOptions {
  store: CallStore;
  feed: EventFeed;
  /** Names this instance in the leases it holds: unique per process start. */
  holder: string;
  /** How long a call's lease lasts unless renewed (renewed every third of it). */
  leaseTtlMs: number;
  /** Ended calls per tenant whose cues stay available for replay. */
  endedCallRetention: number;
  /** Sees every event this instance raises (the incident record); events raised elsewhere are that instance's. */
  observe?: (info: CallInfo, event: SubscriberEvent) => void;
  /** A call whose lease another instance took: this one must stop driving it. */
  onLost?: (info: CallInfo) => void;
}

/** A call this instance drives, as `openCall` hands it out; the hub keeps it current. */
export interface OwnedCall {
  readonly info: CallInfo;
  lease: Lease;
  epoch: string;
  lastSeq: number;
  /** The ladder as the call's last transition left it (on any instance). */
  ladder: LadderState;
  ended: boolean;
}

/** What a ladder step computes from the state it is given: the ladder stays pure, the hub may run it again. */
export type LadderRun = (state: LadderState) => { state: LadderState; cues: CueDraft[] };

interface HubSubscription extends IndexedSubscription {
  /** Live events held back until the subscriber has had its replay. */
  pending: SubscriberEvent[] | undefined;
  /** Per call, the newest cue sent: a cue at or before it (same epoch) is not sent again. */
  seen: Map<string, { epoch: string; seq: number }>;
}

const refKey = (call: CallRef): string => `${call.tenant}\u0000${call.callId}`;

const summaryOf = (call: OwnedCall, lastSeq = call.lastSeq, step: LadderStep = call.ladder.step): CallSummary => ({
  callId: call.info.callId,
  agentId: call.info.agentId,
  ...(call.info.teamId !== undefined ? { teamId: call.info.teamId } : {}),
  epoch: call.epoch,
  lastSeq,
  step,
  ended: call.ended,
});

/**
 * Numbers cues, keeps them for replay and fans out every event of a call to the subscriptions in
 * its scope, over a CallStore (memory or Redis) shared by every instance. A call is driven by the
 * instance holding its lease; any instance delivers its events to its own subscribers.
 */
export class SharedHub {
  private readonly index = new ScopeIndex<HubSubscription>();
  private readonly owned = new Map<string, OwnedCall>();
  private readonly renewal: NodeJS.Timeout;

  constructor(private readonly options: SharedHubOptions) {
    this.renewal = setInterval(() => void this.renewLeases(), Math.max(1, Math.floor(options.leaseTtlMs / 3))).unref();
  }

  /** Hands an event (from the store in memory, from the feed with Redis) to this instance's subscriptions. */
  readonly deliver = (envelope: Envelope): void => {
    for (const sub of this.index.reached(envelope.info, envelope.event)) {
      if (sub.pending) sub.pending.push(envelope.event);
      else this.send(sub, envelope.event);
    }
  };

  /**
   * Takes the call's lease and opens it, carrying on from the ladder state and numbering its last
   * owner left (a call ended before starts its ladder afresh, numbering continued). An opening of
   * the call still open here is ended first: what is left of it is dropped, never applied to the
   * new one. Undefined while another instance holds the call.
   */
  async openCall(info: CallInfo): Promise<OwnedCall | undefined> {
    const { store } = this.options;
    const previous = this.owned.get(refKey(info));
    if (previous) await this.endCall(previous);
    const lease = await store.leases.acquire(info, this.options.holder, this.options.leaseTtlMs);
    if (!lease) return undefined;
    const [numbering, ladder, entry] = await Promise.all([store.cues.numbering(info), store.ladders.load(info), store.directory.entry(info)]);
    if (entry?.summary.ended) await store.directory.reopened(info);
    const carriedOn = ladder !== undefined && entry?.summary.ended === false;
    const call: OwnedCall = { info, lease, ...numbering, ladder: carriedOn ? ladder : initialLadderState(), ended: false };
    this.owned.set(refKey(info), call);
    const started = this.observed(info, { type: 'call', event: 'started', call: summaryOf(call) });
    await this.write(call, () => store.directory.update(info, call.lease, summaryOf(call), started));
    return call;
  }

  /**
   * Runs one ladder step and writes what it reached with the cues it raised, numbered and
   * announced. When the lease turns out lost but can be taken back, the step runs again from the
   * state Redis holds; when another instance has the call, FencedError.
   */
  async apply(call: OwnedCall, run: LadderRun, segmentReceivedAt?: number): Promise<Cue[]> {
    const { store } = this.options;
    let cues: Cue[] = [];
    let state = call.ladder;
    await this.write(call, async () => {
      const transition = run(call.ladder);
      state = transition.state;
      cues = transition.cues.map((draft, i) => this.numbered(call, draft, call.lastSeq + 1 + i, segmentReceivedAt));
      await store.ladders.commit(call.info, call.lease, { ladder: state, cues, summary: summaryOf(call, call.lastSeq + cues.length, state.step) });
    });
    const cuedStep = cues.at(-1)?.step ?? call.ladder.step;
    call.ladder = state;
    call.lastSeq += cues.length;
    for (const cue of cues) this.options.observe?.(call.info, { type: 'cue', cue });
    if (state.step !== cuedStep) {
      const moved = this.observed(call.info, { type: 'call', event: 'moved', call: summaryOf(call) });
      await this.write(call, () => store.directory.announce(call.info, call.lease, moved));
    }
    return cues;
  }

  transcript(call: OwnedCall, line: TranscriptEvent): Promise<void> {
    this.observed(call.info, line);
    return this.write(call, () => this.options.store.transcripts.append(call.info, call.lease, line));
  }

  /** Tells the call's subscribers that an accepted final could not be classified (so raised no cue). */
  unclassified(call: OwnedCall, event: Unclassified): Promise<void> {
    this.observed(call.info, event);
    return this.write(call, () => this.options.store.directory.announce(call.info, call.lease, event));
  }

  /** Ends the call and gives its lease up; beyond the retention, the tenant's oldest ended call is forgotten. */
  async endCall(call: OwnedCall): Promise<void> {
    const { store } = this.options;
    if (call.ended) return;
    const ended = this.observed(call.info, { type: 'call', event: 'ended', call: { ...summaryOf(call), ended: true } });
    await this.write(call, () => store.directory.update(call.info, call.lease, ended.call, ended));
    call.ended = true;
    this.owned.delete(refKey(call.info));
    await store.leases.release(call.info, call.lease);
    await store.directory.ended(call.info, this.options.endedCallRetention);
  }

  /** A supervisor takes on a safety alert: the first claim stands, from whichever instance. */
  async claimAlert(tenant: string, callId: string, seq: number, by: string): Promise<AlertClaimed | { code: 'unknown_call' | 'invalid_message'; problem: string }> {
    const { store } = this.options;
    const ref = { tenant, callId };
    const entry = await store.directory.entry(ref);
    if (!entry) return { code: 'unknown_call', problem: `callId: no call ${callId}` };
    const cue = await store.cues.get(ref, seq);
    if (cue?.type !== 'safety-alert') return { code: 'invalid_message', problem: `seq: cue ${seq} of call ${callId} is not a safety alert` };
    const claim: AlertClaimed = { type: 'alert.claimed', callId, seq, by, at: Date.now() };
    const { standing, fresh } = await store.claims.claim(entry.info, claim);
    if (fresh) this.options.observe?.(entry.info, claim);
    return standing;
  }

  /** A final line the call still keeps, for label feedback. */
  async finalLine(tenant: string, callId: string, segmentId: string): Promise<TranscriptEvent | undefined> {
    return (await this.options.store.transcripts.lines({ tenant, callId })).find((line) => line.segmentId === segmentId);
  }

  /**
   * Registers a subscription and builds its replay as the in-memory hub always did (see
   * docs/protocol.md: transcript lines, `reset`, `gap`, cues after the resume point, claims).
   * Live events are held until `start()`, which the caller runs once it has sent the replay;
   * a cue both replayed and held is sent once.
   */
  async subscribe(
    tenant: string,
    scope: SubscriptionScope,
    sink: Sink,
    options: { transcript: boolean; resume: Record<string, ResumePoint> },
  ): Promise<{ subscriptionId: string; calls: CallSummary[]; replay: SubscriberEvent[]; start(): void }> {
    const { store, feed } = this.options;
    await feed.watch(tenant);
    const sub: HubSubscription = { id: randomUUID(), tenant, scope, transcript: options.transcript, sink, pending: [], seen: new Map() };
    this.index.add(sub);
    const entries = (await store.directory.list(tenant)).filter((entry) => covers(tenant, scope, entry.info));
    const narrow = 'callId' in scope || 'agentId' in scope;
    const replay: SubscriberEvent[] = [];
    for (const { info, summary } of entries) {
      const point = Object.hasOwn(options.resume, info.callId) ? options.resume[info.callId] : undefined;
      if (options.transcript && (point !== undefined || (narrow && !summary.ended))) replay.push(...(await store.transcripts.lines(info)));
      if (point === undefined) continue;
      const numbering = await store.cues.numbering(info);
      let afterSeq = typeof point === 'number' ? point : point.seq;
      if ((typeof point === 'object' && point.epoch !== numbering.epoch) || afterSeq > numbering.lastSeq) {
        replay.push({ type: 'reset', callId: info.callId, epoch: numbering.epoch });
        afterSeq = 0;
      }
      const { items, missing } = await store.cues.since(info, afterSeq);
      if (missing) replay.push({ type: 'gap', callId: info.callId, ...missing });
      for (const cue of items) replay.push({ type: 'cue', cue });
      sub.seen.set(info.callId, { epoch: numbering.epoch, seq: items.at(-1)?.seq ?? afterSeq });
    }
    for (const { info } of entries) replay.push(...(await store.claims.list(info)));
    return {
      subscriptionId: sub.id,
      calls: entries.map((entry) => entry.summary),
      replay,
      start: () => this.flush(sub),
    };
  }

  unsubscribe(subscriptionId: string): boolean {
    const sub = this.index.remove(subscriptionId);
    if (sub) this.options.feed.unwatch(sub.tenant);
    return sub !== undefined;
  }

  /**
   * After the event feed was cut (Redis unreachable, then back), sends every subscription the cues
   * of its calls it missed meanwhile, in order, before any newer live event.
   */
  async catchUp(): Promise<void> {
    const subs = this.index.all().filter((sub) => !sub.pending);
    for (const sub of subs) sub.pending = [];
    for (const sub of subs) {
      for (const [callId, seen] of sub.seen) {
        const { items, missing } = await this.options.store.cues.since({ tenant: sub.tenant, callId }, seen.seq);
        if (missing) this.send(sub, { type: 'gap', callId, ...missing });
        for (const cue of items) this.send(sub, { type: 'cue', cue });
      }
      this.flush(sub);
    }
  }

  /** Renews the lease of every call this instance drives; a call another instance took is given up. */
  async renewLeases(): Promise<void> {
    const { store, leaseTtlMs } = this.options;
    await Promise.all(
      [...this.owned.values()].map(async (call) => {
        try {
          if (!(await store.leases.renew(call.info, call.lease, leaseTtlMs))) await this.retake(call);
        } catch {
          // Redis unreachable: the next round tries again (the lease may run out meanwhile; fencing keeps that safe).
        }
      }),
    );
  }

  close(): void {
    clearInterval(this.renewal);
  }

  /**
   * Runs a fenced write of a call not yet ended; when the lease was lost but is free, takes it
   * back (state reloaded) and runs it once more.
   */
  private async write(call: OwnedCall, attempt: () => Promise<void>): Promise<void> {
    if (call.ended || this.owned.get(refKey(call.info)) !== call) throw new FencedError(`call ${call.info.callId}: this opening has ended`);
    try {
      await attempt();
    } catch (error) {
      if (!(error instanceof FencedError) || !(await this.retake(call))) throw error;
      await attempt();
    }
  }

  /** Takes the lease again, reloading what another holder may have written meanwhile; false (and onLost) when another holds it. */
  private async retake(call: OwnedCall): Promise<boolean> {
    const { store } = this.options;
    const lease = await store.leases.acquire(call.info, this.options.holder, this.options.leaseTtlMs);
    if (!lease) {
      this.owned.delete(refKey(call.info));
      this.options.onLost?.(call.info);
      return false;
    }
    const [numbering, ladder] = await Promise.all([store.cues.numbering(call.info), store.ladders.load(call.info)]);
    Object.assign(call, { lease, ...numbering, ladder: ladder ?? initialLadderState() });
    return true;
  }

  private numbered(call: OwnedCall, draft: CueDraft, seq: number, segmentReceivedAt: number | undefined): Cue {
    const { info } = call;
    return {
      id: randomUUID(),
      seq,
      epoch: call.epoch,
      callId: info.callId,
      agentId: info.agentId,
      ...(info.teamId !== undefined ? { teamId: info.teamId } : {}),
      ...draft,
      ...(segmentReceivedAt !== undefined ? { segmentReceivedAt } : {}),
      emittedAt: Date.now(),
    };
  }

  private observed<E extends SubscriberEvent>(info: CallInfo, event: E): E {
    this.options.observe?.(info, event);
    return event;
  }

  private flush(sub: HubSubscription): void {
    const held = sub.pending ?? [];
    sub.pending = undefined;
    for (const event of held) this.send(sub, event);
  }

  private send(sub: HubSubscription, event: SubscriberEvent): void {
    if (event.type === 'cue') {
      const { callId, epoch, seq } = event.cue;
      const seen = sub.seen.get(callId);
      if (seen && seen.epoch === epoch && seq <= seen.seq) return;
      sub.seen.set(callId, { epoch, seq });
    }
    sub.sink(event);
  }
}
