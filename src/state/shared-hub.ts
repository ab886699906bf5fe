import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
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
import {
  callKey,
  FencedError,
  NumberingError,
  type CallInfo,
  type CallStore,
  type Envelope,
  type Lease,
} from './call-state.js';

export interface SharedHubOptions {
  store: CallStore;
  feed: EventFeed;
  /** Names this instance in the leases it holds: unique per process start. */
  holder: string;
  /** How long a call's lease lasts unless renewed (renewed every third of it). */
  leaseTtlMs: number;
  /** How long opening a call waits for another holder's lease to run out (default: one lease). */
  leaseWaitMs?: number;
  /** Ended calls per tenant whose cues stay available for replay. */
  endedCallRetention: number;
  /** Sees every event this instance raises (the incident record); events raised elsewhere are that instance's. */
  observe?: (info: CallInfo, event: SubscriberEvent) => void;
  /** A call whose lease another instance took: this one must stop driving it. */
  onLost?: (info: CallInfo) => void;
  /**
   * A live call nobody has driven for a whole lease (its instance died and no producer came back):
   * the registry adopts it, so that it ends as an orphaned call does. Unset: no sweep.
   */
  onOrphan?: (info: CallInfo) => void;
  /** How often the sweep for calls nobody drives runs (default: once a lease). */
  orphanSweepMs?: number;
  /** Cues lost by the event feed could not be read back (Redis unreachable again); the next cue or reconnection tries again. */
  onError?: (error: unknown) => void;
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
  /** Per call, the newest cue sent (a cue at or before it, same epoch, is not sent again) and whether the call ended. */
  seen: Map<string, { epoch: string; seq: number; ended?: boolean }>;
}

/** Ended calls a subscription remembers the last cue of (to drop what a cut feed delivers twice). */
const SEEN_ENDED_CALLS = 1000;

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
  private readonly sweep: NodeJS.Timeout | undefined;
  /** Live calls the last sweep found without a lease. */
  private leaseless = new Set<string>();

  constructor(private readonly options: SharedHubOptions) {
    this.renewal = setInterval(() => void this.renewLeases(), Math.max(1, Math.floor(options.leaseTtlMs / 3))).unref();
    if (options.onOrphan)
      this.sweep = setInterval(
        () => void this.sweepOrphans().catch((error: unknown) => options.onError?.(error)),
        options.orphanSweepMs ?? options.leaseTtlMs,
      ).unref();
  }

  /** Hands an event (from the store in memory, from the feed with Redis) to this instance's subscriptions. */
  readonly deliver = (envelope: Envelope): void => {
    for (const sub of this.index.reached(envelope.info, envelope.event)) this.offer(sub, envelope.event);
  };

  /**
   * Takes the call's lease and opens it, carrying on from the ladder state and numbering its last
   * owner left (a call ended before starts its ladder afresh, numbering continued). An opening of
   * the call still open here is ended first: what is left of it is dropped, never applied to the
   * new one. Undefined while another instance holds the call.
   */
  async openCall(info: CallInfo): Promise<OwnedCall | undefined> {
    const { store } = this.options;
    const previous = this.owned.get(callKey(info));
    if (previous) await this.endCall(previous);
    const lease = await this.awaitLease(info);
    if (!lease) return undefined;
    const [numbering, ladder, entry] = await Promise.all([
      store.cues.numbering(info),
      store.ladders.load(info),
      store.directory.entry(info),
    ]);
    if (entry?.summary.ended) await store.directory.reopened(info);
    const carriedOn = ladder !== undefined && entry?.summary.ended === false;
    const call: OwnedCall = {
      info,
      lease,
      ...numbering,
      ladder: carriedOn ? ladder : initialLadderState(),
      ended: false,
    };
    this.owned.set(callKey(info), call);
    const started: SubscriberEvent = { type: 'call', event: 'started', call: summaryOf(call) };
    await this.write(call, () => store.directory.update(info, call.lease, summaryOf(call), started));
    this.options.observe?.(info, started);
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
    let stepBefore = call.ladder.step;
    await this.write(call, async () => {
      const transition = run(call.ladder);
      stepBefore = call.ladder.step;
      state = transition.state;
      cues = transition.cues.map((draft, i) => this.numbered(call, draft, call.lastSeq + 1 + i, segmentReceivedAt));
      await store.ladders.commit(call.info, call.lease, {
        ladder: state,
        cues,
        summary: summaryOf(call, call.lastSeq + cues.length, state.step),
      });
    });
    const cuedStep = cues.at(-1)?.step ?? stepBefore;
    call.ladder = state;
    call.lastSeq += cues.length;
    for (const cue of cues) this.options.observe?.(call.info, { type: 'cue', cue });
    if (state.step !== cuedStep) await this.announce(call, { type: 'call', event: 'moved', call: summaryOf(call) });
    return cues;
  }

  async transcript(call: OwnedCall, line: TranscriptEvent): Promise<void> {
    await this.write(call, () => this.options.store.transcripts.append(call.info, call.lease, line));
    this.options.observe?.(call.info, line);
  }

  /** Tells the call's subscribers that an accepted final could not be classified (so raised no cue). */
  unclassified(call: OwnedCall, event: Unclassified): Promise<void> {
    return this.announce(call, event);
  }

  /** Ends the call and gives its lease up; beyond the retention, the tenant's oldest ended call is forgotten. */
  async endCall(call: OwnedCall): Promise<void> {
    const { store } = this.options;
    if (call.ended) return;
    const summary = { ...summaryOf(call), ended: true };
    const ended: SubscriberEvent = { type: 'call', event: 'ended', call: summary };
    await this.write(call, () => store.directory.update(call.info, call.lease, summary, ended));
    this.options.observe?.(call.info, ended);
    call.ended = true;
    this.owned.delete(callKey(call.info));
    await store.leases.release(call.info, call.lease);
    await store.directory.ended(call.info, this.options.endedCallRetention);
  }

  /** A supervisor takes on a safety alert: the first claim stands, from whichever instance. */
  async claimAlert(
    tenant: string,
    callId: string,
    seq: number,
    by: string,
  ): Promise<AlertClaimed | { code: 'unknown_call' | 'invalid_message'; problem: string }> {
    const { store } = this.options;
    const ref = { tenant, callId };
    const entry = await store.directory.entry(ref);
    if (!entry) return { code: 'unknown_call', problem: `callId: no call ${callId}` };
    const cue = await store.cues.get(ref, seq);
    if (cue?.type !== 'safety-alert')
      return { code: 'invalid_message', problem: `seq: cue ${seq} of call ${callId} is not a safety alert` };
    const claim: AlertClaimed = { type: 'alert.claimed', callId, seq, by, at: Date.now() };
    const { standing, fresh } = await store.claims.claim(entry.info, claim);
    if (fresh) this.options.observe?.(entry.info, claim);
    return standing;
  }

  /** A final line the call still keeps, for label feedback. */
  async finalLine(tenant: string, callId: string, segmentId: string): Promise<TranscriptEvent | undefined> {
    return (await this.options.store.transcripts.lines({ tenant, callId })).find(
      (line) => line.segmentId === segmentId,
    );
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
    const sub: HubSubscription = {
      id: randomUUID(),
      tenant,
      scope,
      transcript: options.transcript,
      sink,
      pending: [],
      seen: new Map(),
    };
    this.index.add(sub);
    try {
      const entries = (await store.directory.list(tenant)).filter((entry) => covers(tenant, scope, entry.info));
      const [perCall, claims] = await Promise.all([
        Promise.all(entries.map((entry) => this.replayOf(sub, entry, options))),
        Promise.all(entries.map(({ info }) => store.claims.list(info))),
      ]);
      return {
        subscriptionId: sub.id,
        calls: entries.map((entry) => entry.summary),
        replay: [...perCall.flat(), ...claims.flat()],
        start: () => this.flush(sub),
      };
    } catch (error) {
      this.unsubscribe(sub.id);
      throw error;
    }
  }

  /** One call's part of a new subscription's replay: its kept lines, then `reset`, `gap` and the cues after the resume point. */
  private async replayOf(
    sub: HubSubscription,
    { info, summary }: { info: CallInfo; summary: CallSummary },
    options: { transcript: boolean; resume: Record<string, ResumePoint> },
  ): Promise<SubscriberEvent[]> {
    const { store } = this.options;
    const point = Object.hasOwn(options.resume, info.callId) ? options.resume[info.callId] : undefined;
    const narrow = 'callId' in sub.scope || 'agentId' in sub.scope;
    const replay: SubscriberEvent[] =
      options.transcript && (point !== undefined || (narrow && !summary.ended))
        ? await store.transcripts.lines(info)
        : [];
    if (point === undefined) {
      // Cues up to the listed lastSeq came before the subscription; a later one is sent once and in order.
      if (!summary.ended) sub.seen.set(info.callId, { epoch: summary.epoch, seq: summary.lastSeq });
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
    sub.seen.set(info.callId, { epoch: numbering.epoch, seq: items.at(-1)?.seq ?? afterSeq });
    return replay;
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
    await Promise.all(
      this.index.all().map((sub) => (sub.pending ? undefined : this.heal(sub, [...sub.seen.keys()], true))),
    );
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

  /**
   * Hands a live call nobody drives to onOrphan once two sweeps in a row (a lease apart) found it
   * without a lease: an owner that lives renews its lease every third of one.
   */
  async sweepOrphans(): Promise<void> {
    const { store, onOrphan } = this.options;
    const found = new Set<string>();
    for (const tenant of await store.directory.tenants()) {
      for (const { info, summary } of await store.directory.list(tenant)) {
        const key = callKey(info);
        if (summary.ended || this.owned.has(key) || (await store.leases.held(info))) continue;
        found.add(key);
        if (this.leaseless.has(key)) onOrphan?.(info);
      }
    }
    this.leaseless = found;
  }

  /** Stops renewing leases and sweeping (as a crash would: the leases run out by themselves). */
  close(): void {
    clearInterval(this.renewal);
    clearInterval(this.sweep);
  }

  /** Gives up every lease this instance holds (a clean shutdown): another instance may take the calls over at once. */
  async releaseLeases(): Promise<void> {
    const calls = [...this.owned.values()];
    this.owned.clear();
    await Promise.all(
      calls.map((call) => this.options.store.leases.release(call.info, call.lease).catch(() => undefined)),
    );
  }

  /**
   * Runs a fenced write of a call not yet ended. When the lease was lost but is free, it is taken
   * back; when the numbering does not follow, the store lost writes or another holder wrote. Either
   * way the call is brought in line with the store (resync) and the write runs once more.
   */
  private async write(call: OwnedCall, attempt: () => Promise<void>): Promise<void> {
    if (call.ended || this.owned.get(callKey(call.info)) !== call)
      throw new FencedError(`call ${call.info.callId}: this opening has ended`);
    try {
      await attempt();
    } catch (error) {
      const recovered = error instanceof FencedError ? await this.retake(call) : error instanceof NumberingError;
      if (!recovered) throw error;
      await this.resync(call);
      await attempt();
    }
  }

  /** Takes the lease again; false (and onLost) when another instance holds it. */
  private async retake(call: OwnedCall): Promise<boolean> {
    const lease = await this.options.store.leases.acquire(call.info, this.options.holder, this.options.leaseTtlMs);
    if (!lease) {
      this.owned.delete(callKey(call.info));
      this.options.onLost?.(call.info);
      return false;
    }
    call.lease = lease;
    return true;
  }

  /**
   * Whose view of the call holds: the store's, when it has all this instance wrote (and maybe more,
   * from another holder); else this instance's, when the store lost writes (Redis restarted
   * without its last second), which is written back: same epoch, the lost cues a gap in the log.
   */
  private async resync(call: OwnedCall): Promise<void> {
    const { store } = this.options;
    const [numbering, ladder] = await Promise.all([store.cues.numbering(call.info), store.ladders.load(call.info)]);
    if (numbering.epoch === call.epoch && numbering.lastSeq >= call.lastSeq) {
      Object.assign(call, { lastSeq: numbering.lastSeq, ladder: ladder ?? initialLadderState() });
      return;
    }
    await store.ladders.restore(call.info, call.lease, { epoch: call.epoch, lastSeq: call.lastSeq }, call.ladder);
  }

  /** The call's lease, waiting out the lease of an owner that died (one that renews keeps it). */
  private async awaitLease(info: CallInfo): Promise<Lease | undefined> {
    const { store, holder, leaseTtlMs, leaseWaitMs = leaseTtlMs } = this.options;
    const giveUpAt = Date.now() + leaseWaitMs;
    for (;;) {
      const lease = await store.leases.acquire(info, holder, leaseTtlMs);
      if (lease || Date.now() >= giveUpAt) return lease;
      await sleep(Math.max(20, Math.floor(leaseTtlMs / 10)));
    }
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

  /** Tells every subscriber of the call (and the observer) of an event that changes nothing stored. */
  private async announce(call: OwnedCall, event: SubscriberEvent): Promise<void> {
    await this.write(call, () => this.options.store.directory.announce(call.info, call.lease, event));
    this.options.observe?.(call.info, event);
  }

  /** Sends the event now, or after what the subscription is still waiting for (its replay, or cues being read back). */
  private offer(sub: HubSubscription, event: SubscriberEvent): void {
    if (sub.pending) sub.pending.push(event);
    else this.send(sub, event);
  }

  private flush(sub: HubSubscription): void {
    const held = sub.pending ?? [];
    sub.pending = undefined;
    for (const event of held) this.offer(sub, event);
  }

  /**
   * Sends each cue once and in order: one at or before the newest sent is dropped; one beyond the
   * next means Pub/Sub lost some (its connection was cut), which are read back from the log first.
   */
  private send(sub: HubSubscription, event: SubscriberEvent): void {
    if (event.type === 'cue') {
      const { callId, epoch, seq } = event.cue;
      const seen = sub.seen.get(callId);
      if (seen?.epoch === epoch && seq <= seen.seq) return;
      if (seen?.epoch === epoch && seq > seen.seq + 1) {
        sub.pending = [event];
        void this.heal(sub, [callId]);
        return;
      }
      sub.seen.set(callId, { epoch, seq });
    } else if (event.type === 'call') {
      const { callId, epoch, lastSeq } = event.call;
      const seen = sub.seen.get(callId);
      if (seen?.ended && event.event === 'ended') return; // read back after a cut, then heard live
      if (seen?.epoch !== epoch) sub.seen.set(callId, { epoch, seq: lastSeq });
      if (event.event === 'ended') this.ended(sub, callId);
      else sub.seen.get(callId)!.ended = false;
    }
    sub.sink(event);
  }

  /** Remembers the call ended (moved to the newest); the oldest ended calls are forgotten beyond SEEN_ENDED_CALLS. */
  private ended(sub: HubSubscription, callId: string): void {
    const seen = sub.seen.get(callId)!;
    sub.seen.delete(callId);
    sub.seen.set(callId, { ...seen, ended: true });
    for (const [id, entry] of sub.seen) {
      if (sub.seen.size <= SEEN_ENDED_CALLS) break;
      if (entry.ended) sub.seen.delete(id);
    }
  }

  /**
   * Holds the subscription's live events while the cues of `callIds` after the newest it was sent
   * are read back and sent; `ends` also sends the end of a call that ended meanwhile.
   */
  private async heal(sub: HubSubscription, callIds: string[], ends = false): Promise<void> {
    const { store } = this.options;
    sub.pending ??= [];
    try {
      for (const callId of callIds) {
        const seen = sub.seen.get(callId);
        if (!seen || (ends && seen.ended)) continue;
        const ref = { tenant: sub.tenant, callId };
        const { items, missing } = await store.cues.since(ref, seen.seq);
        if (missing) {
          this.send(sub, { type: 'gap', callId, ...missing });
          seen.seq = missing.beforeSeq - 1;
        }
        for (const cue of items) if (cue.epoch === seen.epoch) this.send(sub, { type: 'cue', cue });
        const entry = ends ? await store.directory.entry(ref) : undefined;
        if (entry?.summary.ended) this.send(sub, { type: 'call', event: 'ended', call: entry.summary });
      }
    } catch (error) {
      this.options.onError?.(error);
    } finally {
      this.flush(sub);
    }
  }
}
