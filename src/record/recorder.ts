import { callKey, type CallInfo, type ObservedContext } from '../state/call-state.js';
import type { Cue, Evidence, LadderStep } from '../protocol/cue.js';
import { INCIDENT_CUES } from '../protocol/incidents.js';
import type { SubscriberEvent, TranscriptEvent } from '../protocol/subscribe-messages.js';
import type { RecordedCall, RecordWrite } from './incident-store.js';
import { maskDigits } from './mask.js';

interface TrackedCall {
  info: CallInfo;
  /** The call's numbering: a call id used again after its end is another call, with another epoch. */
  epoch: string;
  startedAt: number;
  incident: boolean;
  /** Before the first incident: the newest final lines, cues and ladder moves, waiting to be kept if one comes. */
  recentLines: { line: TranscriptEvent; at: number }[];
  earlyCues: Cue[];
  earlyMoves: { step: LadderStep; at: number }[];
  /** Lines still to keep after the latest incident cue. */
  linesAfter: number;
}

const isIncidentCue = (cue: Cue): boolean => (INCIDENT_CUES as readonly string[]).includes(cue.type);
const EARLY_EVENTS_KEPT = 16;

/** Adds to a list that keeps only its newest `max`. */
function keepNewest<T>(list: T[], item: T, max = EARLY_EVENTS_KEPT): void {
  if (list.push(item) > max) list.shift();
}

const maskEvidence = (e: Evidence): Evidence => ({
  ...e,
  text: maskDigits(e.text),
  spans: e.spans.map((s) => ({ ...s, text: maskDigits(s.text) })),
});

/** A cue as the record keeps it: digit runs masked wherever the caller's words appear. */
function maskCue(cue: Cue): Cue {
  const briefing = cue.briefing && {
    ...cue.briefing,
    summary: maskDigits(cue.briefing.summary),
    incidents: cue.briefing.incidents.map((i) => ({ ...i, text: maskDigits(i.text) })),
  };
  return { ...cue, evidence: cue.evidence.map(maskEvidence), ...(briefing ? { briefing } : {}) };
}

const lineData = (line: TranscriptEvent) => ({
  segmentId: line.segmentId,
  speaker: line.speaker,
  text: maskDigits(line.text),
  startMs: line.startMs,
  endMs: line.endMs,
  ...(line.label !== undefined ? { label: line.label } : {}),
  ...(line.scores !== undefined ? { scores: line.scores } : {}),
});

/**
 * Turns the hub's events into record writes. Nothing is written for a call until it reaches an
 * incident cue (a limit or above, ask-meaning, a safety alert); then the call, its cues, the
 * `contextLines` final lines before each incident cue and after it, its ladder moves and alert
 * claims are kept, with digit runs masked. Each call is one incident: one call id and epoch.
 */
export class Recorder {
  private readonly calls = new Map<string, TrackedCall>();

  constructor(
    private readonly contextLines: number,
    private readonly emit: (write: RecordWrite) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * `afterIncident`: with the `started` of a call taken over from another instance that had already
   * recorded an incident, so the record goes on. A claim is kept whichever instance took it (under
   * the claimed alert's epoch): a claimed safety alert is always an incident, recorded by the
   * instance that raised it.
   */
  observe(info: CallInfo, event: SubscriberEvent, { afterIncident = false, claimedEpoch }: ObservedContext = {}): void {
    const key = callKey(info);
    let call = this.calls.get(key);
    if (event.type === 'call' && event.event === 'started' && !call) {
      call = {
        info,
        epoch: event.call.epoch,
        startedAt: this.now(),
        incident: afterIncident,
        recentLines: [],
        earlyCues: [],
        earlyMoves: [],
        linesAfter: 0,
      };
      this.calls.set(key, call);
      return;
    }
    if (event.type === 'alert.claimed') {
      if (claimedEpoch !== undefined)
        this.event(
          { tenant: info.tenant, callId: info.callId, epoch: claimedEpoch },
          `claim:${event.seq}:${event.at}`,
          event.at,
          'claim',
          {
            seq: event.seq,
            by: event.by,
          },
        );
      return;
    }
    if (!call) return;
    call.info = info;
    switch (event.type) {
      case 'transcript':
        if (event.isFinal) this.line(call, event);
        break;
      case 'cue':
        this.cue(call, event.cue);
        break;
      case 'call':
        if (event.event === 'moved') this.moved(call, event.call.step);
        if (event.event === 'ended') {
          if (call.incident) this.emit({ ...this.callOf(call), kind: 'ended', at: this.now() });
          this.calls.delete(key);
        }
        break;
      default:
        break;
    }
  }

  forget(info: CallInfo): void {
    this.calls.delete(callKey(info));
  }

  private line(call: TrackedCall, line: TranscriptEvent): void {
    // When the final came in, not when its event got here: that can be after the cue it raised.
    const at = line.receivedAt ?? this.now();
    if (call.incident && call.linesAfter > 0) {
      call.linesAfter -= 1;
      this.lineEvent(call, line, at);
      return;
    }
    // The line that raises the next cue is among them, so one more than the context is kept.
    keepNewest(call.recentLines, { line, at }, this.contextLines + 1);
  }

  private moved(call: TrackedCall, step: LadderStep): void {
    if (call.incident) this.stepEvent(call, step, this.now());
    else keepNewest(call.earlyMoves, { step, at: this.now() });
  }

  private cue(call: TrackedCall, cue: Cue): void {
    if (!isIncidentCue(cue)) {
      if (call.incident) this.cueEvent(call, cue);
      else keepNewest(call.earlyCues, cue);
      return;
    }
    const { agentId, teamId } = call.info;
    this.emit({
      ...this.callOf(call),
      kind: 'incident',
      agentId,
      ...(teamId !== undefined ? { teamId } : {}),
      startedAt: call.startedAt,
      at: cue.emittedAt,
      cueType: cue.type,
    });
    call.incident = true;
    for (const early of call.earlyCues.splice(0)) this.cueEvent(call, early);
    for (const { step, at } of call.earlyMoves.splice(0)) this.stepEvent(call, step, at);
    for (const { line, at } of call.recentLines.splice(0)) this.lineEvent(call, line, at);
    this.cueEvent(call, cue);
    call.linesAfter = this.contextLines;
  }

  private callOf(call: TrackedCall): RecordedCall {
    return { tenant: call.info.tenant, callId: call.info.callId, epoch: call.epoch };
  }

  private cueEvent(call: TrackedCall, cue: Cue): void {
    this.event(this.callOf(call), `cue:${cue.epoch}:${cue.seq}`, cue.emittedAt, 'cue', maskCue(cue));
  }

  private stepEvent(call: TrackedCall, step: LadderStep, at: number): void {
    this.event(this.callOf(call), `step:${at}:${step}`, at, 'step', { step });
  }

  private lineEvent(call: TrackedCall, line: TranscriptEvent, at: number): void {
    this.event(this.callOf(call), `line:${line.segmentId}`, at, 'line', lineData(line));
  }

  private event(
    of: RecordedCall,
    key: string,
    at: number,
    type: 'line' | 'cue' | 'step' | 'claim',
    data: object,
  ): void {
    this.emit({ ...of, kind: 'event', key, at, type, data: data as Record<string, unknown> });
  }
}
