import { randomBytes, randomUUID } from 'node:crypto';
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
import type { CueDraft } from '../ladder/state.js';
import { ReplayBuffer } from './replay-buffer.js';

export interface CallInfo {
  tenant: string;
  callId: string;
  agentId: string;
  teamId?: string;
}

/**
 * One incarnation of a call in the hub, as `openCall` hands it out. Work done with the handle of
 * an incarnation that has since been replaced (the call ended and was started again while the old
 * one was still finishing) is ignored: it can never touch the new call.
 */
export interface CallHandle {
  readonly info: CallInfo;
  readonly incarnation: number;
}

export interface HubOptions {
  /** Sees every event of every call, whatever the subscriptions (the incident record). */
  observe?: (info: CallInfo, event: SubscriberEvent) => void;
  /** Cues kept per call for replay to reconnecting subscribers. */
  replayBuffer: number;
  /** Ended calls per tenant whose cues stay available for replay; the tenant's oldest is forgotten beyond this. */
  endedCallRetention: number;
  /** Final transcript lines kept per call for subscribers that (re)connect with `transcript: true`. */
  transcriptReplay: number;
}

/** Where a subscription's events go. Subscriptions sharing a sink get each event once. */
export type Sink = (event: SubscriberEvent) => void;

interface HubCall {
  info: CallInfo;
  /** Names this run of cue numbers: a call numbered afresh (after a restart, or once forgotten) gets a new one. */
  epoch: string;
  incarnation: number;
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

/** Unique per process start and per fresh numbering: a subscriber can tell a restart from a continuation. */
const newEpoch = (): string => randomBytes(6).toString('base64url');

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
  /** Per tenant, the keys of its ended calls, oldest first. */
  private readonly ended = new Map<string, Set<string>>();
  private readonly subscriptions = new Map<string, Subscription>();
  private incarnations = 0;

  constructor(private readonly options: HubOptions) {}

  /**
   * Opens a new incarnation of a call. Re-opening a recently ended call continues its numbering
   * (same epoch), so resuming subscribers stay consistent; an incarnation still open is closed first.
   */
  openCall(info: CallInfo): CallHandle {
    const key = callKey(info.tenant, info.callId);
    const previous = this.calls.get(key);
    if (previous && !previous.ended)
      this.broadcast(previous.info, { type: 'call', event: 'ended', call: summary({ ...previous, ended: true }) });
    const incarnation = ++this.incarnations;
    const call: HubCall = previous
      ? { ...previous, info, incarnation, ended: false }
      : {
          info,
          epoch: newEpoch(),
          incarnation,
          nextSeq: 1,
          step: 'listen',
          ended: false,
          buffer: new ReplayBuffer(this.options.replayBuffer),
          lines: [],
          claims: new Map(),
        };
    this.ended.get(info.tenant)?.delete(key);
    this.calls.set(key, call);
    this.broadcast(info, { type: 'call', event: 'started', call: summary(call) });
    return { info, incarnation };
  }

  /** A final line the call still keeps (the newest TRANSCRIPT_REPLAY_LINES), for label feedback. */
  finalLine(tenant: string, callId: string, segmentId: string): TranscriptEvent | undefined {
    return this.calls.get(callKey(tenant, callId))?.lines.find((line) => line.segmentId === segmentId);
  }

  /** Numbers and fans out a cue; undefined when the handle's incarnation is no longer the call's. */
  publish(handle: CallHandle, draft: CueDraft, segmentReceivedAt?: number): Cue | undefined {
    const call = this.current(handle);
    if (!call) return undefined;
    const { info } = call;
    const cue: Cue = {
      id: randomUUID(),
      seq: call.nextSeq++,
      epoch: call.epoch,
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
  setStep(handle: CallHandle, step: LadderStep): void {
    const call = this.current(handle);
    if (!call || call.step === step) return;
    call.step = step;
    this.broadcast(call.info, { type: 'call', event: 'moved', call: summary(call) });
  }

  transcript(handle: CallHandle, event: TranscriptEvent): void {
    const call = this.current(handle);
    if (!call) return;
    const { lines } = call;
    if (event.isFinal) {
      if (lines.at(-1)?.segmentId === event.segmentId) lines.pop();
      lines.push(event);
      if (lines.length > this.options.transcriptReplay) lines.shift();
    }
    this.broadcast(call.info, event, true);
  }

  /** Tells the call's subscribers that an accepted final could not be classified (so raised no cue). */
  unclassified(handle: CallHandle, event: Unclassified): void {
    const call = this.current(handle);
    if (call) this.broadcast(call.info, event);
  }

  /**
   * A supervisor takes on a safety alert. The first claim stands (a second returns it unchanged);
   * every subscriber of the call hears of it. A problem comes back as a message naming it.
   */
  claimAlert(
    tenant: string,
    callId: string,
    seq: number,
    by: string,
  ): AlertClaimed | { code: 'unknown_call' | 'invalid_message'; problem: string } {
    const call = this.calls.get(callKey(tenant, callId));
    if (!call) return { code: 'unknown_call', problem: `callId: no call ${callId}` };
    const existing = call.claims.get(seq);
    if (existing) return existing;
    if (call.buffer.get(seq)?.type !== 'safety-alert')
      return { code: 'invalid_message', problem: `seq: cue ${seq} of call ${callId} is not a safety alert` };
    const claim: AlertClaimed = { type: 'alert.claimed', callId, seq, by, at: Date.now() };
    call.claims.set(seq, claim);
    this.broadcast(call.info, claim);
    return claim;
  }

  endCall(handle: CallHandle): void {
    const call = this.current(handle);
    if (!call || call.ended) return;
    call.ended = true;
    const { tenant, callId } = call.info;
    this.broadcast(call.info, { type: 'call', event: 'ended', call: summary(call) });
    let ended = this.ended.get(tenant);
    if (!ended) this.ended.set(tenant, (ended = new Set()));
    ended.add(callKey(tenant, callId));
    if (ended.size > this.options.endedCallRetention) {
      const [forgotten] = ended;
      ended.delete(forgotten!);
      if (this.calls.get(forgotten!)?.ended) this.calls.delete(forgotten!);
    }
  }

  /**
   * Registers a subscription and replays, for each call in `resume`, the cues after the seq the
   * subscriber last saw. When the call's numbering is not the one the subscriber saw (another epoch,
   * or a seq beyond the newest), a `reset` goes first and every cue still held follows. With
   * `transcript`, the replay also carries the kept final lines of each resumed call and, for
   * one-call and one-agent scopes, of every live call in scope: a page that reloads mid-call shows
   * what was said. Last come the claims on safety alerts of calls in scope. Replay goes out before
   * any live event, so nothing is lost or reordered.
   */
  subscribe(
    tenant: string,
    scope: SubscriptionScope,
    sink: Sink,
    options: { transcript: boolean; resume: Record<string, ResumePoint> },
  ): { subscriptionId: string; calls: CallSummary[]; replay: SubscriberEvent[] } {
    const sub: Subscription = { id: randomUUID(), tenant, scope, transcript: options.transcript, sink };
    const inScopeCalls = [...this.calls.values()].filter((call) => inScope(sub, call.info));
    const replay: SubscriberEvent[] = [];
    const narrow = 'callId' in scope || 'agentId' in scope;
    for (const call of inScopeCalls) {
      const { callId } = call.info;
      const point = Object.hasOwn(options.resume, callId) ? options.resume[callId] : undefined;
      if (options.transcript && (point !== undefined || (narrow && !call.ended))) replay.push(...call.lines);
      if (point === undefined) continue;
      let afterSeq = typeof point === 'number' ? point : point.seq;
      const renumbered = (typeof point === 'object' && point.epoch !== call.epoch) || afterSeq >= call.nextSeq;
      if (renumbered) {
        replay.push({ type: 'reset', callId, epoch: call.epoch });
        afterSeq = 0;
      }
      const { items, missing } = call.buffer.since(afterSeq);
      if (missing) replay.push({ type: 'gap', callId, ...missing });
      for (const cue of items) replay.push({ type: 'cue', cue });
    }
    for (const call of inScopeCalls) replay.push(...call.claims.values());
    this.subscriptions.set(sub.id, sub);
    return { subscriptionId: sub.id, calls: inScopeCalls.map(summary), replay };
  }

  unsubscribe(subscriptionId: string): boolean {
    return this.subscriptions.delete(subscriptionId);
  }

  private broadcast(info: CallInfo, event: SubscriberEvent, transcriptOnly = false): void {
    this.options.observe?.(info, event);
    const reached = new Set<Sink>();
    for (const sub of this.subscriptions.values()) {
      if (reached.has(sub.sink) || (transcriptOnly && !sub.transcript) || !inScope(sub, info)) continue;
      reached.add(sub.sink);
      sub.sink(event);
    }
  }

  private current(handle: CallHandle): HubCall | undefined {
    const call = this.calls.get(callKey(handle.info.tenant, handle.info.callId));
    return call?.incarnation === handle.incarnation ? call : undefined;
  }
}

const summary = (call: HubCall): CallSummary => ({
  callId: call.info.callId,
  agentId: call.info.agentId,
  ...(call.info.teamId !== undefined ? { teamId: call.info.teamId } : {}),
  epoch: call.epoch,
  lastSeq: call.nextSeq - 1,
  step: call.step,
  ended: call.ended,
});
