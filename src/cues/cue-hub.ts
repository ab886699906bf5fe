import { randomUUID } from 'node:crypto';
import type { Cue, LadderStep } from '../protocol/cue.js';
import type { AlertClaimed, CallSummary, SubscriberEvent, SubscriptionScope, TranscriptEvent } from '../protocol/subscribe-messages.js';
import type { CueDraft } from '../ladder/state.js';
import { ReplayBuffer } from './replay-buffer.js';

export interface CallInfo {
  tenant: string;
  callId: string;
  agentId: string;
  teamId?: string;
}

export interface HubOptions {
  /** Cues kept per call for replay to reconnecting subscribers. */
  replayBuffer: number;
  /** Ended calls whose cues stay available for replay; the oldest is forgotten beyond this. */
  endedCallRetention: number;
  /** Final transcript lines kept per call for subscribers that (re)connect with `transcript: true`. */
  transcriptReplay: number;
}

/** Where a subscription's events go. */
export type Sink = (event: SubscriberEvent) => void;

interface HubCall {
  info: CallInfo;
  nextSeq: number;
  step: LadderStep;
  ended: boolean;
  buffer: ReplayBuffer<Cue>;
  /** The newest final lines, oldest first. */
  lines: TranscriptEvent[];
  /** Who took each safety alert, by cue seq. */
  claims: Map<number, AlertClaimed>;
}

interface Subscription {
  id: string;
  tenant: string;
  scope: SubscriptionScope;
  transcript: boolean;
  sink: Sink;
}

const callKey = (tenant: string, callId: string): string => `${tenant}\u0000${callId}`;

function inScope(sub: Subscription, info: CallInfo): boolean {
  if (sub.tenant !== info.tenant) return false;
  const s = sub.scope;
  if ('callId' in s) return s.callId === info.callId;
  if ('agentId' in s) return s.agentId === info.agentId;
  if ('teamId' in s) return s.teamId === info.teamId;
  return true;
}

/**
 * Numbers each call's cues, keeps the newest for replay, and fans them out to the subscriptions
 * whose scope covers the call. Every lookup is keyed by tenant: nothing crosses tenants.
 */
export class CueHub {
  private readonly calls = new Map<string, HubCall>();
  private readonly ended: string[] = [];
  private readonly subscriptions = new Map<string, Subscription>();

  constructor(private readonly options: HubOptions) {}

  /** Opens a call; re-opening a recently ended one continues its numbering, so resuming subscribers stay consistent. */
  openCall(info: CallInfo): void {
    const key = callKey(info.tenant, info.callId);
    const previous = this.calls.get(key);
    const call: HubCall = previous
      ? { ...previous, info, ended: false }
      : { info, nextSeq: 1, step: 'listen', ended: false, buffer: new ReplayBuffer(this.options.replayBuffer), lines: [], claims: new Map() };
    if (previous?.ended) this.ended.splice(this.ended.indexOf(key), 1);
    this.calls.set(key, call);
    this.broadcast(info, { type: 'call', event: 'started', call: summary(call) });
  }

  /** A live (not ended) call of this tenant. */
  isLive(tenant: string, callId: string): boolean {
    const call = this.calls.get(callKey(tenant, callId));
    return call !== undefined && !call.ended;
  }

  publish(info: CallInfo, draft: CueDraft, segmentReceivedAt?: number): Cue {
    const call = this.mustGet(info);
    const seq = call.nextSeq++;
    const cue: Cue = {
      id: randomUUID(),
      seq,
      callId: info.callId,
      agentId: info.agentId,
      ...(info.teamId !== undefined ? { teamId: info.teamId } : {}),
      ...draft,
      ...(segmentReceivedAt !== undefined ? { segmentReceivedAt } : {}),
      emittedAt: Date.now(),
    };
    call.step = draft.step;
    call.buffer.push(cue);
    this.broadcast(info, { type: 'cue', cue });
    return cue;
  }

  /** Records a ladder step reached without a cue (the agent took it) and tells the call's subscribers. */
  setStep(info: CallInfo, step: LadderStep): void {
    const call = this.mustGet(info);
    if (call.step === step) return;
    call.step = step;
    this.broadcast(info, { type: 'call', event: 'moved', call: summary(call) });
  }

  transcript(info: CallInfo, event: TranscriptEvent): void {
    const lines = this.calls.get(callKey(info.tenant, info.callId))?.lines;
    if (lines && event.isFinal) {
      if (lines.at(-1)?.segmentId === event.segmentId) lines.pop();
      lines.push(event);
      if (lines.length > this.options.transcriptReplay) lines.shift();
    }
    this.broadcast(info, event, true);
  }

  /**
   * A supervisor takes on a safety alert. The first claim stands (a second returns it unchanged);
   * every subscriber of the call hears of it. A problem comes back as a message naming it.
   */
  claimAlert(tenant: string, callId: string, seq: number, by: string): AlertClaimed | { code: 'unknown_call' | 'invalid_message'; problem: string } {
    const call = this.calls.get(callKey(tenant, callId));
    if (!call) return { code: 'unknown_call', problem: `callId: no call ${callId}` };
    const existing = call.claims.get(seq);
    if (existing) return existing;
    if (call.buffer.get(seq)?.type !== 'safety-alert') return { code: 'invalid_message', problem: `seq: cue ${seq} of call ${callId} is not a safety alert` };
    const claim: AlertClaimed = { type: 'alert.claimed', callId, seq, by, at: Date.now() };
    call.claims.set(seq, claim);
    this.broadcast(call.info, claim);
    return claim;
  }

  endCall(info: CallInfo): void {
    const key = callKey(info.tenant, info.callId);
    const call = this.calls.get(key);
    if (!call || call.ended) return;
    call.ended = true;
    this.broadcast(info, { type: 'call', event: 'ended', call: summary(call) });
    this.ended.push(key);
    if (this.ended.length > this.options.endedCallRetention) {
      const forgotten = this.ended.shift();
      if (forgotten !== undefined && this.calls.get(forgotten)?.ended) this.calls.delete(forgotten);
    }
  }

  /**
   * Registers a subscription and replays, for each call in `resume`, the cues after the seq the
   * subscriber last saw. With `transcript`, the replay also carries the kept final lines of each
   * resumed call and, for one-call and one-agent scopes, of every live call in scope: a page that
   * reloads mid-call shows what was said. Last come the claims on safety alerts of calls in scope.
   * Replay goes out before any live event, so nothing is lost or reordered.
   */
  subscribe(
    tenant: string,
    scope: SubscriptionScope,
    sink: Sink,
    options: { transcript: boolean; resume: Record<string, number> },
  ): { subscriptionId: string; calls: CallSummary[]; replay: SubscriberEvent[] } {
    const sub: Subscription = { id: randomUUID(), tenant, scope, transcript: options.transcript, sink };
    const inScopeCalls = [...this.calls.values()].filter((call) => inScope(sub, call.info));
    const replay: SubscriberEvent[] = [];
    const narrow = 'callId' in scope || 'agentId' in scope;
    for (const call of inScopeCalls) {
      const resumed = Object.hasOwn(options.resume, call.info.callId);
      if (options.transcript && (resumed || (narrow && !call.ended))) replay.push(...call.lines);
      if (!resumed) continue;
      const { items, missing } = call.buffer.since(options.resume[call.info.callId]!);
      if (missing) replay.push({ type: 'gap', callId: call.info.callId, ...missing });
      for (const cue of items) replay.push({ type: 'cue', cue });
    }
    for (const call of inScopeCalls) replay.push(...call.claims.values());
    this.subscriptions.set(sub.id, sub);
    return { subscriptionId: sub.id, calls: inScopeCalls.map(summary), replay };
  }

  unsubscribe(subscriptionId: string): boolean {
    return this.subscriptions.delete(subscriptionId);
  }

  get subscriptionCount(): number {
    return this.subscriptions.size;
  }

  private broadcast(info: CallInfo, event: SubscriberEvent, transcriptOnly = false): void {
    for (const sub of this.subscriptions.values()) {
      if ((!transcriptOnly || sub.transcript) && inScope(sub, info)) sub.sink(event);
    }
  }

  private mustGet(info: CallInfo): HubCall {
    const call = this.calls.get(callKey(info.tenant, info.callId));
    if (!call) throw new Error(`cue hub: call ${info.callId} was never opened`);
    return call;
  }
}

const summary = (call: HubCall): CallSummary => ({
  callId: call.info.callId,
  agentId: call.info.agentId,
  ...(call.info.teamId !== undefined ? { teamId: call.info.teamId } : {}),
  lastSeq: call.nextSeq - 1,
  step: call.step,
  ended: call.ended,
});
