import { BoundedSet } from '../../bounded.js';
import type { Cue, LadderStep } from '../../protocol/cue.js';
import type {
  AlertClaimed,
  CallSummary,
  ResumePoint,
  SubscriberEvent,
  TranscriptEvent,
} from '../../protocol/subscribe-messages.js';

export type TranscriptLine = Omit<TranscriptEvent, 'type' | 'callId'>;

export interface CallRecord {
  readonly callId: string;
  /** The run of cue numbers the call's seqs belong to: a call numbered afresh (the service restarted) has another. */
  epoch: string;
  agentId: string;
  step: LadderStep;
  ended: boolean;
  /** The newest cue: what the agent should act on now. */
  cue: Cue | undefined;
  /** The newest cue that carried a briefing (warm transfer, safety alert, after the call). */
  briefingCue: Cue | undefined;
  /** Utterances by segmentId, in arrival order: the live transcript, plus cue evidence said before the page connected. */
  readonly lines: Map<string, TranscriptLine>;
  /** Who took each safety alert, by cue seq. */
  readonly claims: Map<number, AlertClaimed>;
}

interface TrackedCall extends CallRecord {
  /** Cue seqs seen: a cue can arrive twice while a subscription is being replaced. */
  readonly seqs: Set<number>;
  /** Seqs of the safety alerts seen: one nobody has taken keeps the call (its claim is still to come). */
  readonly safetyAlerts: Set<number>;
  /** The cue seq at which `step` was learned; a summary at seq N already includes moves after cue N. */
  stepSeq: number;
  /** The newest cue seq the service has said the call reached (its summaries). */
  lastSeq: number;
}

export type StoreChange =
  | { kind: 'call'; call: CallRecord }
  | { kind: 'cue'; call: CallRecord; cue: Cue }
  | { kind: 'line'; call: CallRecord; line: TranscriptLine }
  | { kind: 'claim'; call: CallRecord; claim: AlertClaimed }
  /** The page lets go of an ended call: what shows it goes too. */
  | { kind: 'dropped'; call: CallRecord };

/**
 * Ended calls the page keeps (with their row, alerts and briefing): the last to end. Those that
 * ended before them are let go, so a page open all shift stays small; live calls, and ended ones
 * with a safety alert nobody has taken or cues still to read back, are kept whatever their number.
 */
export const KEPT_ENDED_CALLS = 500;
/**
 * Calls let go, remembered so that a reconnect does not read them back: more than a service keeps
 * ended calls of a tenant by default (ENDED_CALL_RETENTION, 1,000).
 */
const REMEMBERED_DROPPED_CALLS = 2_000;

const runKey = (callId: string, epoch: string): string => JSON.stringify([callId, epoch]);
const readToEnd = (call: TrackedCall): boolean => (call.cue?.seq ?? 0) >= call.lastSeq;
const awaitsClaim = (call: TrackedCall): boolean => [...call.safetyAlerts].some((seq) => !call.claims.has(seq));

/** What the page knows about each call, fed by subscriber events in any order a reconnect can produce. */
export class CallStore {
  private readonly calls = new Map<string, TrackedCall>();
  /** The ended calls' ids, oldest ending first. */
  private readonly ended = new Set<string>();
  /** The calls let go, by id and epoch. */
  private readonly dropped = new BoundedSet<string>(REMEMBERED_DROPPED_CALLS);

  constructor(private readonly onChange: (change: StoreChange) => void) {}

  /**
   * The calls a subscription starts with. Ended calls the page never saw are left out when it
   * opens; after a reconnect, one with cues ended while the page was away and is kept, so that
   * its cues (a safety alert) are read back. One the page let go of is not read again.
   */
  applySummaries(summaries: readonly CallSummary[], reconnected = false): void {
    for (const summary of summaries) {
      const unseen = !this.calls.has(summary.callId);
      const readBack = reconnected && summary.lastSeq > 0 && !this.wasDropped(summary);
      if (summary.ended && unseen && !readBack) continue;
      this.applySummary(summary);
    }
    this.dropOldEndedCalls();
  }

  apply(event: SubscriberEvent): void {
    this.take(event);
    this.dropOldEndedCalls();
  }

  private take(event: SubscriberEvent): void {
    switch (event.type) {
      case 'call':
        return this.applySummary(event.call);
      case 'cue':
        return this.applyCue(event.cue);
      case 'transcript':
        return this.applyTranscript(event);
      case 'gap':
        // Cues that left the server's buffer are history; the newest is always replayed.
        return;
      case 'reset': {
        const call = this.calls.get(event.callId);
        if (!call) return;
        this.renumber(call, event.epoch);
        return this.onChange({ kind: 'call', call });
      }
      case 'unclassified':
        // No cue came of that line; the transcript already shows it unlabelled.
        return;
      case 'alert.claimed':
        return this.applyClaim(event);
    }
  }

  /**
   * The newest cue seen per call (with its epoch), to resume from after a reconnect: the live calls,
   * and the ended ones with cues still to come. An ended call read to its end needs nothing more,
   * so a long shift's calls do not outgrow what one subscribe may carry.
   */
  resumePoints(): Record<string, ResumePoint> {
    return Object.fromEntries(
      [...this.calls.values()].flatMap((call) =>
        call.ended && readToEnd(call) ? [] : [[call.callId, { epoch: call.epoch, seq: call.cue?.seq ?? 0 }]],
      ),
    );
  }

  /** The call to show an agent: the newest live one, else the newest ended one. */
  current(): CallRecord | undefined {
    const newestFirst = [...this.calls.values()].reverse();
    return newestFirst.find((call) => !call.ended) ?? newestFirst[0];
  }

  private applySummary(summary: CallSummary): void {
    const call = this.track(summary);
    this.renumber(call, summary.epoch);
    if (summary.ended) this.ended.add(call.callId);
    else this.ended.delete(call.callId);
    call.ended = summary.ended;
    call.lastSeq = Math.max(call.lastSeq, summary.lastSeq);
    if (summary.lastSeq >= call.stepSeq) {
      call.step = summary.step;
      call.stepSeq = summary.lastSeq;
    }
    this.onChange({ kind: 'call', call });
  }

  private applyCue(cue: Cue): void {
    // A late cue of a call let go would bring it back as a live call that never ends.
    if (!this.calls.has(cue.callId) && this.wasDropped(cue)) return;
    const call = this.track(cue);
    this.renumber(call, cue.epoch);
    if (call.seqs.has(cue.seq)) return;
    call.seqs.add(cue.seq);
    if (cue.type === 'safety-alert') call.safetyAlerts.add(cue.seq);
    if (!call.cue || cue.seq > call.cue.seq) call.cue = cue;
    call.lastSeq = Math.max(call.lastSeq, cue.seq);
    if (cue.briefing && (!call.briefingCue || cue.seq > call.briefingCue.seq)) call.briefingCue = cue;
    if (cue.seq > call.stepSeq) {
      call.step = cue.step;
      call.stepSeq = cue.seq;
    }
    for (const { utteranceId, ...said } of cue.evidence) {
      if (!call.lines.has(utteranceId)) this.setLine(call, { segmentId: utteranceId, isFinal: true, ...said });
    }
    this.onChange({ kind: 'cue', call, cue });
  }

  private applyTranscript({ type: _type, callId, ...line }: TranscriptEvent): void {
    const call = this.calls.get(callId);
    if (!call || (call.lines.get(line.segmentId)?.isFinal && !line.isFinal)) return;
    this.setLine(call, line);
  }

  private applyClaim(claim: AlertClaimed): void {
    const call = this.calls.get(claim.callId);
    if (!call || call.claims.has(claim.seq)) return;
    call.claims.set(claim.seq, claim);
    this.onChange({ kind: 'claim', call, claim });
  }

  /** Another epoch: the seqs held belong to the old numbering (a restarted service counts from 1 again), so they go. */
  private renumber(call: TrackedCall, epoch: string): void {
    if (call.epoch !== epoch) {
      call.seqs.clear();
      call.safetyAlerts.clear();
      call.claims.clear();
      call.cue = undefined;
      call.briefingCue = undefined;
      call.stepSeq = 0;
      call.lastSeq = 0;
    }
    call.epoch = epoch;
  }

  /** Beyond KEPT_ENDED_CALLS, the calls that ended first go, unless a claim or cues are still to come for them. */
  private dropOldEndedCalls(): void {
    let excess = this.ended.size - KEPT_ENDED_CALLS;
    for (const callId of this.ended) {
      if (excess <= 0) return;
      const call = this.calls.get(callId)!;
      if (awaitsClaim(call) || !readToEnd(call)) continue;
      this.calls.delete(callId);
      this.ended.delete(callId);
      this.dropped.add(runKey(callId, call.epoch));
      this.onChange({ kind: 'dropped', call });
      excess -= 1;
    }
  }

  private wasDropped({ callId, epoch }: { callId: string; epoch: string }): boolean {
    return this.dropped.has(runKey(callId, epoch));
  }

  private setLine(call: TrackedCall, line: TranscriptLine): void {
    call.lines.set(line.segmentId, line);
    this.onChange({ kind: 'line', call, line });
  }

  private track({ callId, agentId, epoch }: { callId: string; agentId: string; epoch: string }): TrackedCall {
    let call = this.calls.get(callId);
    if (!call) {
      call = {
        callId,
        epoch,
        agentId,
        step: 'listen',
        ended: false,
        cue: undefined,
        briefingCue: undefined,
        lines: new Map(),
        claims: new Map(),
        seqs: new Set(),
        safetyAlerts: new Set(),
        stepSeq: 0,
        lastSeq: 0,
      };
      this.calls.set(callId, call);
    }
    call.agentId = agentId;
    return call;
  }
}
