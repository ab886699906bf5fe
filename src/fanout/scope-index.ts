import { scopeParts, scopesOfCall, type CallInfo } from '../state/call-state.js';
import type { SubscriberEvent, SubscriptionScope } from '../protocol/subscribe-messages.js';

/** Where a subscription's events go. Subscriptions sharing a sink get each event once. */
export type Sink = (event: SubscriberEvent) => void;

export interface IndexedSubscription {
  readonly id: string;
  readonly tenant: string;
  readonly scope: SubscriptionScope;
  readonly transcript: boolean;
  readonly sink: Sink;
  /** Set for a token bound to an agent: whatever the scope, only that agent's calls reach it. */
  readonly boundAgent?: string | undefined;
}

const bucketOfScope = (tenant: string, scope: SubscriptionScope): string => {
  const { kind, id } = scopeParts(scope);
  return id === undefined ? `${tenant}\u0000${kind}` : `${tenant}\u0000${kind}\u0000${id}`;
};

/** The (at most four) buckets whose subscriptions cover a call. */
const bucketsOfCall = (info: CallInfo): string[] =>
  scopesOfCall(info).map((scope) => bucketOfScope(info.tenant, scope));

/**
 * This instance's subscriptions, indexed by scope: an event looks up the call's four scopes
 * (call, agent, team, tenant) and reaches only the subscriptions there, so its cost does not grow
 * with the number of unrelated subscribers.
 */
export class ScopeIndex<S extends IndexedSubscription = IndexedSubscription> {
  private readonly byId = new Map<string, S>();
  private readonly buckets = new Map<string, Set<S>>();
  private readonly bySink = new Map<Sink, Set<S>>();

  add(sub: S): void {
    this.byId.set(sub.id, sub);
    let ofSink = this.bySink.get(sub.sink);
    if (!ofSink) this.bySink.set(sub.sink, (ofSink = new Set()));
    ofSink.add(sub);
    const bucket = bucketOfScope(sub.tenant, sub.scope);
    let subs = this.buckets.get(bucket);
    if (!subs) this.buckets.set(bucket, (subs = new Set()));
    subs.add(sub);
  }

  remove(id: string): S | undefined {
    const sub = this.byId.get(id);
    if (!sub) return undefined;
    this.byId.delete(id);
    const ofSink = this.bySink.get(sub.sink)!;
    ofSink.delete(sub);
    if (ofSink.size === 0) this.bySink.delete(sub.sink);
    const bucket = bucketOfScope(sub.tenant, sub.scope);
    const subs = this.buckets.get(bucket)!;
    subs.delete(sub);
    if (subs.size === 0) this.buckets.delete(bucket);
    return sub;
  }

  all(): S[] {
    return [...this.byId.values()];
  }

  /** The subscriptions sharing `sink` (one socket's). */
  ofSink(sink: Sink): ReadonlySet<S> {
    return this.bySink.get(sink) ?? new Set();
  }

  /** The subscriptions that should get an event of the call, one per sink; transcript events only reach those that asked. */
  reached(info: CallInfo, event: SubscriberEvent): S[] {
    const transcriptOnly = event.type === 'transcript';
    const sinks = new Set<Sink>();
    const reached: S[] = [];
    for (const bucket of bucketsOfCall(info)) {
      for (const sub of this.buckets.get(bucket) ?? []) {
        if ((transcriptOnly && !sub.transcript) || sinks.has(sub.sink) || !admits(sub, info)) continue;
        sinks.add(sub.sink);
        reached.push(sub);
      }
    }
    return reached;
  }
}

/** Whether a token bound to an agent may see the call: unbound, every call of the tenant. */
const admits = ({ boundAgent }: Pick<IndexedSubscription, 'boundAgent'>, info: CallInfo): boolean =>
  boundAgent === undefined || boundAgent === info.agentId;

/** Whether a subscription's scope covers the call (for listing the calls of a new subscription). */
export function covers(
  subscription: Pick<IndexedSubscription, 'tenant' | 'scope' | 'boundAgent'>,
  info: CallInfo,
): boolean {
  const { tenant, scope } = subscription;
  if (info.tenant !== tenant || !admits(subscription, info)) return false;
  if ('callId' in scope) return scope.callId === info.callId;
  if ('agentId' in scope) return scope.agentId === info.agentId;
  if ('teamId' in scope) return scope.teamId === info.teamId;
  return true;
}
