import { randomUUID } from 'node:crypto';
import type { SubscriberEvent, SubscriptionScope } from '../protocol/subscribe-messages.js';
import type { CallStore, Envelope } from '../state/call-state.js';
import type { CuePoint } from '../state/subscription-replay.js';
import type { EventFeed } from './event-feed.js';
import { missedBesidesCues, noteSent, type SentBesidesCues } from './missed-events.js';
import { ScopeIndex, type IndexedSubscription, type Sink } from './scope-index.js';

interface Subscription extends IndexedSubscription {
  /** Live events held back until the subscriber has had its replay (or the cues being read back). */
  pending: SubscriberEvent[] | undefined;
  /**
   * Per call, the newest cue sent (a cue at or before it, same epoch, is not sent again), whether
   * the call ended, and the rest a cut feed may make it miss.
   */
  seen: Map<string, CuePoint & SentBesidesCues & { ended?: boolean }>;
  /** Removed: a read-back waiting to be tried again gives up. */
  removed?: boolean;
  /** The feed was cut while the subscription was held (replay or read-back): catch up before releasing it. */
  catchUpDue?: boolean;
}

/** Ended calls a subscription remembers the last cue of (to drop what a cut feed delivers twice). */
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
    for (const sub of this.index.reached(envelope.info, envelope.event)) this.offer(sub, envelope.event);
  }

  /**
   * Registers a subscription; its live events are held until `start`, which sends them except the
   * cues at or before `upTo` (the subscriber's replay has them, or they came before it), or, for a
   * call not `resumed` that another subscription of the socket follows, at or before where the
   * socket stands (see followOn).
   */
  async add(
    tenant: string,
    scope: SubscriptionScope,
    sink: Sink,
    transcript: boolean,
  ): Promise<{ id: string; start(upTo: Map<string, CuePoint>, resumed: ReadonlySet<string>): void }> {
    await this.options.feed.watch(tenant, scope);
    const sub: Subscription = { id: randomUUID(), tenant, scope, transcript, sink, pending: [], seen: new Map() };
    this.index.add(sub);
    return {
      id: sub.id,
      start: (upTo, resumed) => {
        sub.seen = upTo;
        this.followOn(sub, resumed);
        this.flush(sub);
      },
    };
  }

  remove(subscriptionId: string): boolean {
    const sub = this.index.remove(subscriptionId);
    if (!sub) return false;
    sub.removed = true;
    // A socket gets each event once, through one of its subscriptions: those left take over what this one sent.
    for (const other of this.index.ofSink(sub.sink)) takeOverSent(other, sub);
    this.options.feed.unwatch(sub.tenant, sub.scope);
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
   * first (one that also ended meanwhile is not). Of a socket's subscriptions, the one that carries
   * a call's live events reads the call back. A subscription still held for its replay or a
   * read-back catches up once that is done. Reads that fail are tried again until they succeed.
   */
  async catchUp(): Promise<void> {
    const lists = new Map<string, ReturnType<CallStore['directory']['list']>>();
    const listOnce: DirectoryRead = (tenant) => {
      if (!lists.has(tenant)) lists.set(tenant, this.options.store.directory.list(tenant));
      return lists.get(tenant)!;
    };
    await Promise.all(
      this.index.all().map((sub) => {
        if (!sub.pending) return this.recover(sub, listOnce);
        sub.catchUpDue = true;
        return undefined;
      }),
    );
  }

  /**
   * Holds the subscription's live events, announces the calls that started while the feed was cut,
   * and reads back the rest: of the calls whose live events it carries for its socket, from where
   * the socket stands (the others are read back by the subscription that carries them).
   */
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
    const carried = new Set<string>();
    for (const { info, summary } of calls) {
      if (this.index.carrier(info, sub.sink) !== sub) continue;
      carried.add(info.callId);
      this.standWithSocket(sub, info.callId, summary.epoch);
      // A live call it has not heard of started meanwhile (replay and `started` tell it of the others).
      if (summary.ended || sub.seen.has(info.callId)) continue;
      sub.seen.set(info.callId, { epoch: summary.epoch, seq: 0 });
      this.send(sub, { type: 'call', event: 'started', call: summary });
    }
    await this.heal(
      sub,
      [...sub.seen.keys()].filter((callId) => carried.has(callId)),
      true,
    );
  }

  /** Sends the event now, or after what the subscription is still waiting for (its replay, or cues being read back). */
  private offer(sub: Subscription, event: SubscriberEvent): void {
    if (sub.pending) sub.pending.push(event);
    else this.send(sub, event);
  }

  private flush(sub: Subscription): void {
    if (sub.catchUpDue) {
      void this.recover(sub);
      return;
    }
    const held = sub.pending ?? [];
    sub.pending = undefined;
    for (const event of held) this.offer(sub, event);
  }

  /**
   * Starts a new subscription where its socket stands. Once registered, it may take over the live
   * cues of a call another subscription of the socket was sending (a socket gets each event through
   * one of them) while its replay is still being read, so the call's newest cue at that read says
   * nothing of what the socket got: a call it did not resume goes on after the newest cue the other
   * sent. Where a subscription of the socket got further in a call, it goes on from there.
   */
  private followOn(sub: Subscription, resumed: ReadonlySet<string>): void {
    const others = [...this.index.ofSink(sub.sink)].filter((other) => other !== sub);
    for (const callId of sub.seen.keys()) {
      const followed = resumed.has(callId) ? undefined : others.find((other) => other.seen.has(callId));
      if (followed) sub.seen.set(callId, { ...followed.seen.get(callId)! });
    }
    for (const other of others) takeOverSent(sub, other);
  }

  /**
   * Raises where `sub` stands on the call to the furthest a subscription of its socket got in
   * `epoch`: the socket has those cues, whichever subscription sent them (one that was reading back
   * a gap when another took the call over still sends what it read).
   */
  private standWithSocket(sub: Subscription, callId: string, epoch: string): void {
    for (const other of this.index.ofSink(sub.sink)) {
      const sent = other.seen.get(callId);
      const own = sub.seen.get(callId);
      if (other === sub || sent?.epoch !== epoch || (own?.epoch === epoch && own.seq >= sent.seq)) continue;
      if (own?.epoch === epoch) own.seq = sent.seq;
      else sub.seen.set(callId, { ...sent });
    }
  }

  /**
   * Sends each cue once and in order, per socket: one at or before the newest the socket was sent
   * is dropped; one beyond the next means Pub/Sub lost some (its connection was cut), which are
   * read back from the log first.
   */
  private send(sub: Subscription, event: SubscriberEvent): void {
    if (event.type === 'cue') {
      const { callId, epoch, seq } = event.cue;
      this.standWithSocket(sub, callId, epoch);
      const seen = sub.seen.get(callId);
      if (seen?.epoch === epoch && seq <= seen.seq) return;
      if (seen?.epoch === epoch && seq > seen.seq + 1) {
        sub.pending = [event];
        void this.heal(sub, [callId]);
        return;
      }
      if (seen?.epoch === epoch) seen.seq = seq;
      else sub.seen.set(callId, { epoch, seq });
    } else if (event.type === 'call') {
      const { callId, epoch, lastSeq } = event.call;
      const seen = sub.seen.get(callId);
      if (seen?.ended && event.event === 'ended') return; // read back after a cut, then heard live
      if (seen?.epoch !== epoch) sub.seen.set(callId, { epoch, seq: lastSeq });
      if (event.event === 'ended') this.ended(sub, callId);
      else sub.seen.get(callId)!.ended = false;
    }
    const seen = sub.seen.get(callIdOf(event));
    if (seen) noteSent(seen, event);
    sub.sink(event);
  }

  /** Remembers the call ended (moved to the newest); the oldest ended calls are forgotten beyond SEEN_ENDED_CALLS. */
  private ended(sub: Subscription, callId: string): void {
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
        const ref = { tenant: sub.tenant, callId };
        const { items, missing } = await store.cues.since(ref, seen.seq);
        if (missing) {
          this.send(sub, { type: 'gap', callId, ...missing });
          seen.seq = missing.beforeSeq - 1;
        }
        for (const cue of items) if (cue.epoch === seen.epoch) this.send(sub, { type: 'cue', cue });
        const entry = ends ? await store.directory.entry(ref) : undefined;
        if (entry) {
          const kept = sub.transcript ? await store.transcripts.lines(ref) : undefined;
          for (const event of missedBesidesCues(seen, kept, entry.summary)) this.send(sub, event);
        }
        if (entry?.summary.ended) this.send(sub, { type: 'call', event: 'ended', call: entry.summary });
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

/** Raises what `to` knows it sent of each call to what `from` sent, where `from` got further in the same epoch. */
function takeOverSent(to: Subscription, from: Subscription): void {
  for (const [callId, sent] of from.seen) {
    const known = to.seen.get(callId);
    if (known?.epoch === sent.epoch && sent.seq > known.seq) to.seen.set(callId, { ...sent });
  }
}

type DirectoryRead = (tenant: string) => ReturnType<CallStore['directory']['list']>;

const callIdOf = (event: SubscriberEvent): string =>
  event.type === 'cue' ? event.cue.callId : event.type === 'call' ? event.call.callId : event.callId;
