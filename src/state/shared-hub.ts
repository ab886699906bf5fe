import type { EventFeed } from '../fanout/event-feed.js';
import { LocalFanout } from '../fanout/local-fanout.js';
import type { Sink } from '../fanout/scope-index.js';
import { initialLadderState, reachedIncident } from '../ladder/state.js';
import type { Metrics } from '../metrics.js';
import type { Cue } from '../protocol/cue.js';
import type { Outcome } from '../protocol/errors.js';
import type {
  AlertClaimed,
  CallSummary,
  SubscriberEvent,
  SubscriptionScope,
  TranscriptEvent,
  Unclassified,
} from '../protocol/subscribe-messages.js';
import { claimAlert } from './alert-claims.js';
import { CallOwnership, type OwnedCall, type OwnershipOptions } from './call-ownership.js';
import type {
  AckPosting,
  CallInfo,
  CallRef,
  Envelope,
  HubObserver,
  Lease,
  PostedAck,
  Transition,
} from './call-state.js';
import { numberedTransition, summaryOf, type LadderRun } from './cue-numbering.js';
import { OrphanSweep } from './orphan-sweep.js';
import { replayFor, type ReplayRequest } from './subscription-replay.js';

export interface SharedHubOptions extends OwnershipOptions {
  feed: EventFeed;
  /** Ended calls per tenant whose cues stay available for replay. */
  endedCallRetention: number;
  observe?: HubObserver;
  /**
   * A live call nobody has driven for a whole lease (its instance died and no producer came back):
   * the registry adopts it, so that it ends as an orphaned call does, still refusing producers other
   * than signed webhooks if they fed it. Unset: no sweep.
   */
  onOrphan?: (info: CallInfo, signedWebhooksOnly: boolean) => void;
  /** Acks wait for a call this instance drives (posted on another instance): its session takes them (takeAcks). */
  onAcks?: (call: CallRef) => void;
  /** How often the sweep for calls nobody drives runs (default: once a lease). */
  orphanSweepMs?: number;
  /** Cues lost by the event feed could not be read back (Redis unreachable again); the next cue or reconnection tries again. */
  onError?: (error: unknown) => void;
  metrics: Pick<Metrics, 'leaseTakeovers' | 'leasesLost' | 'fencingRejections'>;
}

/**
 * The calls of every instance, over a CallStore (memory or Redis) they share: a call is driven
 * (opened, stepped through its ladder, ended) by the instance holding its lease (CallOwnership),
 * which numbers its cues (cue-numbering); any instance replays calls to its new subscribers
 * (subscription-replay) and delivers their events to its own subscribers (LocalFanout).
 */
export class SharedHub {
  private readonly ownership: CallOwnership;
  private readonly fanout: LocalFanout;
  private readonly orphans: OrphanSweep | undefined;

  constructor(private readonly options: SharedHubOptions) {
    const { store, feed, onError, onOrphan } = options;
    this.ownership = new CallOwnership(options);
    this.fanout = new LocalFanout({ feed, store, ...(onError ? { onError } : {}) });
    if (onOrphan)
      this.orphans = new OrphanSweep({
        store,
        drives: (call) => this.ownership.current(call) !== undefined,
        onOrphan,
        everyMs: options.orphanSweepMs ?? options.leaseTtlMs,
        ...(onError ? { onError } : {}),
      });
  }

  /** Hands an event (from the store in memory, from the feed with Redis) to this instance's subscriptions. */
  deliver(envelope: Envelope): void {
    this.fanout.deliver(envelope);
  }

  /**
   * Takes the call's lease and opens it, carrying on from the ladder state and numbering its last
   * owner left, and its signed-webhooks mark (a call ended before is a new call: another epoch, its
   * ladder afresh). An opening of the call still open here is ended first: what is left of it is
   * dropped, never applied to the new one. Undefined while another instance holds the call; an
   * opening that fails (the store unreachable) gives up what it took.
   */
  async openCall(info: CallInfo): Promise<OwnedCall | undefined> {
    const previous = this.ownership.current(info);
    if (previous) await this.endCall(previous);
    const lease = await this.ownership.awaitLease(info);
    if (!lease) return undefined;
    try {
      return await this.openWith(info, lease);
    } catch (error) {
      // Kept, the lease would be renewed for ever (once driven): every other instance refused the call.
      await this.ownership.release(this.ownership.current(info) ?? { info, lease }).catch(() => undefined);
      throw error;
    }
  }

  /** Opens the call on the lease just taken (see openCall). */
  private async openWith(info: CallInfo, lease: Lease): Promise<OwnedCall> {
    const { store, metrics } = this.options;
    const entry = await store.directory.entry(info);
    if (entry?.summary.ended) await store.directory.reopened(info);
    // Live, yet not opened here: its last owner died, stalled past its lease or shut down.
    const takenOver = entry?.summary.ended === false;
    const [numbering, ladder, marked] = await Promise.all([
      store.cues.numbering(info),
      store.ladders.load(info),
      // Its signed-webhooks mark is this opening's to write back, should Redis lose it.
      takenOver && store.signedWebhooks.marked(info),
    ]);
    if (takenOver) metrics.leaseTakeovers.inc();
    const carriedOn = ladder !== undefined && takenOver;
    const call: OwnedCall = {
      info,
      lease,
      ...numbering,
      ladder: carriedOn ? ladder : initialLadderState(),
      ended: false,
      signedWebhooksOnly: marked,
    };
    this.ownership.drive(call);
    const started: SubscriberEvent = { type: 'call', event: 'started', call: summaryOf(call) };
    await this.ownership.write(call, () => store.directory.update(info, call.lease, summaryOf(call), started));
    this.options.observe?.(info, started, { afterIncident: carriedOn && reachedIncident(call.ladder) });
    return call;
  }

  /**
   * Runs one ladder step and writes what it reached with the cues it raised, numbered and
   * announced. When the lease turns out lost but can be taken back, the step runs again from the
   * state Redis holds; when another instance has the call, FencedError.
   */
  async apply(call: OwnedCall, run: LadderRun, segmentReceivedAt?: number): Promise<readonly Cue[]> {
    let transition: Transition | undefined;
    let stepBefore = call.ladder.step;
    await this.ownership.write(call, async () => {
      stepBefore = call.ladder.step;
      transition = numberedTransition(call, run, segmentReceivedAt);
      await this.options.store.ladders.commit(call.info, call.lease, transition);
    });
    const { ladder, cues } = transition!;
    const cuedStep = cues.at(-1)?.step ?? stepBefore;
    call.ladder = ladder;
    call.lastSeq += cues.length;
    for (const cue of cues) this.options.observe?.(call.info, { type: 'cue', cue });
    if (ladder.step !== cuedStep) await this.announce(call, { type: 'call', event: 'moved', call: summaryOf(call) });
    return cues;
  }

  async transcript(call: OwnedCall, line: TranscriptEvent): Promise<void> {
    await this.ownership.write(call, () => this.options.store.transcripts.append(call.info, call.lease, line));
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
    await this.ownership.write(call, () => store.directory.update(call.info, call.lease, summary, ended));
    this.options.observe?.(call.info, ended);
    call.ended = true;
    await this.ownership.release(call);
    await store.directory.ended(call.info, this.options.endedCallRetention);
  }

  /**
   * Signed Twilio webhooks feed the call: from now on, while it lives, every instance refuses its
   * other producers (the mark is written once per opening).
   */
  async markSignedWebhooksOnly(call: OwnedCall): Promise<void> {
    if (call.signedWebhooksOnly) return;
    await this.ownership.write(call, () => this.options.store.signedWebhooks.mark(call.info, call.lease));
    call.signedWebhooksOnly = true;
  }

  /**
   * Whether the call is live and fed by signed Twilio webhooks only, as the instance that drives it
   * (or drove it and died) marked it. False for a call driven here: the registry keeps its mark, and
   * one still ending here is over.
   */
  async signedWebhooksOnly(call: CallRef): Promise<boolean> {
    return !this.ownership.current(call) && (await this.options.store.signedWebhooks.marked(call));
  }

  /** A supervisor takes on a safety alert: the first claim stands, from whichever instance. */
  claimAlert(tenant: string, callId: string, seq: number, by: string): Promise<Outcome<{ claim: AlertClaimed }>> {
    return claimAlert(this.options.store, { tenant, callId, seq, by }, this.options.observe);
  }

  /**
   * The agent took a step of a call this instance may not drive: the ack waits in the store for
   * the call's driver, which is told (acksPosted on its instance) and applies it through its own
   * ladder. Refused when the tenant has no live call of that id, or (when the ack names an epoch)
   * the live call is another of that id.
   */
  postAck(call: CallRef, ack: PostedAck): Promise<AckPosting> {
    return this.options.store.acks.post(call, ack);
  }

  /** Acks were posted for the call: if this instance drives it, its session is told to take them. */
  acksPosted(call: CallRef): void {
    if (this.ownership.current(call)) this.options.onAcks?.(call);
  }

  /** Takes the acks waiting for the call, oldest first (fenced: only its driver takes them). */
  async takeAcks(call: OwnedCall): Promise<PostedAck[]> {
    let acks: PostedAck[] = [];
    await this.ownership.write(call, async () => {
      acks = await this.options.store.acks.take(call.info, call.lease);
    });
    return acks;
  }

  /** The call as the directory knows it (live or recently ended, on whichever instance); undefined when it does not. */
  async callInfo(tenant: string, callId: string): Promise<CallInfo | undefined> {
    return (await this.options.store.directory.entry({ tenant, callId }))?.info;
  }

  /** A final line the call still keeps, with the epoch of the call it was said in, for label feedback. */
  async finalLine(
    tenant: string,
    callId: string,
    segmentId: string,
  ): Promise<{ line: TranscriptEvent; epoch: string } | undefined> {
    const { store } = this.options;
    const [entry, lines] = await Promise.all([
      store.directory.entry({ tenant, callId }),
      store.transcripts.lines({ tenant, callId }),
    ]);
    const line = lines.find((kept) => kept.segmentId === segmentId);
    return entry && line ? { line, epoch: entry.summary.epoch } : undefined;
  }

  /**
   * Registers a subscription and builds its replay (see subscription-replay). Live events are held
   * until `start()`, which the caller runs once it has sent the replay; a cue both replayed and
   * held is sent once.
   */
  async subscribe(
    tenant: string,
    scope: SubscriptionScope,
    sink: Sink,
    request: ReplayRequest,
  ): Promise<{ subscriptionId: string; calls: CallSummary[]; replay: SubscriberEvent[]; start(): void }> {
    const subscription = await this.fanout.add(tenant, scope, sink, request.transcript, request.boundAgent);
    try {
      const { calls, events, upTo } = await replayFor(this.options.store, tenant, scope, request);
      const resumed = new Set(Object.keys(request.resume));
      return { subscriptionId: subscription.id, calls, replay: events, start: () => subscription.start(upTo, resumed) };
    } catch (error) {
      this.unsubscribe(subscription.id);
      throw error;
    }
  }

  unsubscribe(subscriptionId: string): boolean {
    return this.fanout.remove(subscriptionId);
  }

  /**
   * After the event feed was cut, sends every subscription the cues it missed (see LocalFanout);
   * the calls driven here take the acks whose notice the cut lost.
   */
  catchUp(): Promise<void> {
    for (const call of this.ownership.driven()) this.options.onAcks?.(call.info);
    return this.fanout.catchUp();
  }

  /** Hands the live calls nobody drives to onOrphan (see OrphanSweep); a no-op without onOrphan. */
  async sweepOrphans(): Promise<void> {
    await this.orphans?.sweep();
  }

  /** Stops renewing leases, sweeping and reading back (as a crash would: the leases run out by themselves). */
  close(): void {
    this.ownership.close();
    this.orphans?.close();
    this.fanout.close();
  }

  /** Gives up every lease this instance holds (a clean shutdown): another instance may take the calls over at once. */
  releaseLeases(): Promise<void> {
    return this.ownership.releaseLeases();
  }

  /** Tells every subscriber of the call (and the observer) of an event that changes nothing stored. */
  private async announce(call: OwnedCall, event: SubscriberEvent): Promise<void> {
    await this.ownership.write(call, () => this.options.store.directory.announce(call.info, call.lease, event));
    this.options.observe?.(call.info, event);
  }
}
