import { randomUUID } from 'node:crypto';
import type { SubscriberEvent, SubscriptionScope } from '../protocol/subscribe-messages.js';
import type { CallInfo, CallStore, Envelope } from '../state/call-state.js';
import type { CuePoint, ListedPoint } from '../state/subscription-replay.js';
import type { EventFeed } from './event-feed.js';
import { missedBesidesCues, noteSent, type SentBesidesCues } from './missed-events.js';
import { covers, ScopeIndex, type IndexedSubscription, type Sink } from './scope-index.js';

interface Subscription extends IndexedSubscription {
  /** Live events held back until the subscriber has had its replay (or the cues being read back). */
  pending: Envelope[] | undefined;
  /**
   * What its socket was sent, shared by the socket's subscriptions (a socket gets each event once,
   * through one of them): per call the socket's subscriptions cover, the newest cue (a cue at or
   * before it, same epoch, is not sent again), whether the call ended, and the rest a cut feed may
   * make it miss.
   */
  seen: Map<string, CuePoint & SentBesidesCues & { ended?: boolean; info: CallInfo }>;
  /** Removed: a read-back waiting to be tried again gives up. */
  removed?: boolean;
  /** The feed was cut while the subscription was held (replay or read-back): catch up before releasing it. */
  catchUpDue?: boolean;
}

/** Ended calls a socket remembers the last cue of (to drop what a cut feed delivers twice). */
const SEEN_ENDED_CALLS = 1000;

/** How long a read-back that failed (the store unreachable) waits before it is tried again. */
const READ_BACK_RETRY_MS = 1000;

interface LocalFanoutOptions {
  feed: EventFeed;
  /** Where what a cut feed lost is read back from. */
  store: Pick<CallStore, 'cues' | 'directory' | 'transcripts'>;
  /** Cues lost by the event feed could not be read back (Redis unreachable again); the next cue or reconnection tries again. */
  onError?: (error: unknown) => void;
}

/**
 * This instance's subscriptions and what each has been sent: every event of a call (from the
 * store in memory, from the feed with Redis) goes to the subscriptions in its scope, each cue
 * once and in order, after the subscription's replay.
 */
export class LocalFanout {
  private readonly index = new ScopeIndex<Subscription>();
  private closed = false;

  constructor(private readonly options: LocalFanoutOptions) {}

  /** Hands an event to the subscriptions in its scope. */
  deliver(envelope: Envelope): void {
    for (const sub of this.index.reached(envelope.info, envelope.event)) this.offer(sub, envelope);
  }

  /**
   * Registers a subscription; its live events are held until `start`, which sends them except the
   * cues at or before `upTo` (the subscriber's replay has them, or they came before it), or, for a
   * call not `resumed` that the socket already follows, at or before where the socket stands (see
   * followOn). A `boundAgent` subscription gets only that agent's calls.
   */
  async add(
    tenant: string,
    scope: SubscriptionScope,
    sink: Sink,
    transcript: boolean,
    boundAgent?: string,
  ): Promise<{ id: string; start(upTo: Map<string, ListedPoint>, resumed: ReadonlySet<string>): void }> {
    await this.options.feed.watch(tenant, scope);
    const [sibling] = this.index.ofSink(sink);
    const seen = sibling?.seen ?? new Map();
    const sub: Subscription = { id: randomUUID(), tenant, scope, transcript, sink, boundAgent, pending: [], seen };
    this.index.add(sub);
    return {
      id: sub.id,
      start: (upTo, resumed) => {
        this.followOn(sub, upTo, resumed);
        this.flush(sub);
      },
    };
  }

  remove(subscriptionId: string): boolean {
    const sub = this.index.remove(subscriptionId);
    if (!sub) return false;
    sub.removed = true;
    const others = [...this.index.ofSink(sub.sink)];
    // Live events it held for its socket (its replay failed, say) are lost with it: the others read them back.
    if (sub.pending?.length) for (const other of others) void this.catchUpSoon(other);
    this.options.feed.unwatch(sub.tenant, sub.scope);
    // The socket's record keeps only the calls its other subscriptions cover (none: it goes with this one).
    for (const [callId, { info }] of sub.seen)
      if (!others.some((other) => covers(other, info))) sub.seen.delete(callId);
    return true;
  }

  /** Stops trying failed read-backs again (the instance is shutting down). */
  close(): void {
    this.closed = true;
  }

  /**
   * After the event feed was cut (Redis unreachable, then back), sends every subscription what it
   * missed of its calls meanwhile, before any newer live event: each call's cues in order, kept
   * lines and step change (see missed-events), end; a live call that started meanwhile is sent as started
   * first (one that also ended meanwhile is not). Each of a socket's subscriptions reads back the
   * calls in its scope; what the socket already has is not sent again. A subscription still held for
   * its replay or a read-back catches up once that is done. Reads that fail are tried again until
   * they succeed.
   */
  async catchUp(): Promise<void> {
    const lists = new Map<string, ReturnType<CallStore['directory']['list']>>();
    const listOnce: DirectoryRead = (tenant) => {
      if (!lists.has(tenant)) lists.set(tenant, this.options.store.directory.list(tenant));
      return lists.get(tenant)!;
    };
    await Promise.all(this.index.all().map((sub) => this.catchUpSoon(sub, listOnce)));
  }

  /** Catches the subscription up now, or once what it is held for (its replay, or a read-back) is done. */
  private async catchUpSoon(sub: Subscription, list?: DirectoryRead): Promise<void> {
    if (!sub.pending) return this.recover(sub, list);
    sub.catchUpDue = true;
  }

  /** Holds the subscription's live events, announces the calls that started while the feed was cut, and reads back the rest. */
  private async recover(
    sub: Subscription,
    list: DirectoryRead = (tenant) => this.options.store.directory.list(tenant),
  ) {
    sub.pending ??= [];
    sub.catchUpDue = false;
    let calls: Awaited<ReturnType<DirectoryRead>>;
    try {
      calls = await list(sub.tenant);
    } catch (error) {
      this.options.onError?.(error);
      if (!sub.removed && !this.closed) setTimeout(() => void this.recover(sub), READ_BACK_RETRY_MS).unref();
      return;
    }
    const inScope = calls.filter(({ info }) => covers(sub, info));
    for (const { info, summary } of inScope) {
      // A live call its socket has not heard of started meanwhile (replay and `started` tell it of the
      // others); a call id started again is another call, with an epoch of its own.
      if (summary.ended || sub.seen.get(info.callId)?.epoch === summary.epoch) continue;
      sub.seen.set(info.callId, { epoch: summary.epoch, seq: 0, info });
      this.send(sub, { info, event: { type: 'call', event: 'started', call: summary } });
    }
    await this.heal(
      sub,
      inScope.map(({ info }) => info.callId),
      true,
    );
  }

  /** Sends the event now, or after what the subscription is still waiting for (its replay, or cues being read back). */
  private offer(sub: Subscription, envelope: Envelope): void {
    if (sub.pending) sub.pending.push(envelope);
    else this.send(sub, envelope);
  }

  private flush(sub: Subscription): void {
    if (sub.catchUpDue) {
      void this.recover(sub);
      return;
    }
    const held = sub.pending ?? [];
    sub.pending = undefined;
    for (const envelope of held) this.offer(sub, envelope);
  }

  /**
   * Starts a new subscription where its socket stands. Once registered, it may take over the live
   * cues of a call another subscription of the socket was sending (a socket gets each event through
   * one of them) while its replay is still being read, so the call's newest cue at that read says
   * nothing of what the socket got: a call the socket follows goes on from where it stands, unless
   * the subscription resumed it and its replay got further.
   */
  private followOn(sub: Subscription, upTo: Map<string, ListedPoint>, resumed: ReadonlySet<string>): void {
    for (const [callId, point] of upTo) {
      const stands = sub.seen.get(callId);
      const replayGotFurther = resumed.has(callId) && (stands?.epoch !== point.epoch || stands.seq < point.seq);
      if (!stands || replayGotFurther) sub.seen.set(callId, { ...point });
    }
  }

  /**
   * Sends each cue once and in order, per socket: one at or before the newest the socket was sent
   * is dropped; one beyond the next means Pub/Sub lost some (its connection was cut), which are
   * read back from the log first.
   */
  private send(sub: Subscription, envelope: Envelope): void {
    const { info, event } = envelope;
    if (event.type === 'cue') {
      const { callId, epoch, seq } = event.cue;
      const seen = sub.seen.get(callId);
      if (seen?.epoch === epoch && seq <= seen.seq) return;
      if (seen?.epoch === epoch && seq > seen.seq + 1) {
        sub.pending = [envelope];
        void this.heal(sub, [callId]);
        return;
      }
      if (seen?.epoch === epoch) seen.seq = seq;
      else sub.seen.set(callId, { epoch, seq, info });
    } else if (event.type === 'call') {
      const { callId, epoch, lastSeq } = event.call;
      const seen = sub.seen.get(callId);
      if (seen?.ended && event.event === 'ended') return; // read back after a cut, then heard live
      if (seen?.epoch !== epoch) sub.seen.set(callId, { epoch, seq: lastSeq, info });
      if (event.event === 'ended') this.ended(sub, callId);
      else sub.seen.get(callId)!.ended = false;
    }
    const seen = sub.seen.get(callIdOf(event));
    if (seen) noteSent(seen, event);
    sub.sink(event);
  }

  /** Remembers the call ended (moved to the newest); the oldest ended calls are forgotten beyond SEEN_ENDED_CALLS. */
  private ended(sub: Subscription, callId: string): void {
    const seen = sub.seen.get(callId)!; // the same record: a read-back under way holds it
    seen.ended = true;
    sub.seen.delete(callId);
    sub.seen.set(callId, seen);
    for (const [id, entry] of sub.seen) {
      if (sub.seen.size <= SEEN_ENDED_CALLS) break;
      if (entry.ended) sub.seen.delete(id);
    }
  }

  /**
   * Holds the subscription's live events while the cues of `callIds` after the newest it was sent
   * are read back and sent; `ends` also sends the end of a call that ended meanwhile. When the
   * store cannot be read, the events stay held and the read-back is tried again a little later
   * (sending them at once would find the same gap and read again, in a loop).
   */
  private async heal(sub: Subscription, callIds: string[], ends = false): Promise<void> {
    const { store } = this.options;
    sub.pending ??= [];
    try {
      for (const callId of callIds) {
        const seen = sub.seen.get(callId);
        if (!seen || (ends && seen.ended)) continue;
        const toSocket = (event: SubscriberEvent) => this.send(sub, { info: seen.info, event });
        const ref = { tenant: sub.tenant, callId };
        const { items, missing } = await store.cues.since(ref, seen.seq);
        // Another subscription of the socket may have read the same gap back meanwhile.
        if (missing && seen.seq < missing.beforeSeq - 1) {
          toSocket({ type: 'gap', callId, ...missing });
          seen.seq = missing.beforeSeq - 1;
        }
        for (const cue of items) if (cue.epoch === seen.epoch) toSocket({ type: 'cue', cue });
        const entry = ends ? await store.directory.entry(ref) : undefined;
        if (entry) {
          const kept = sub.transcript ? await store.transcripts.lines(ref) : undefined;
          for (const event of missedBesidesCues(seen, kept, entry.summary)) toSocket(event);
        }
        if (entry?.summary.ended) toSocket({ type: 'call', event: 'ended', call: entry.summary });
      }
    } catch (error) {
      this.options.onError?.(error);
      if (sub.removed || this.closed) return;
      setTimeout(() => void this.heal(sub, callIds, ends), READ_BACK_RETRY_MS).unref();
      return;
    }
    this.flush(sub);
  }
}

type DirectoryRead = (tenant: string) => ReturnType<CallStore['directory']['list']>;

const callIdOf = (event: SubscriberEvent): string =>
  event.type === 'cue' ? event.cue.callId : event.type === 'call' ? event.call.callId : event.callId;
