import { callKey, type CallInfo } from '../state/call-state.js';
import type { Cue, Evidence } from '../protocol/cue.js';
import { INCIDENT_CUES } from '../protocol/incidents.js';
import type { SubscriberEvent, TranscriptEvent } from '../protocol/subscribe-messages.js';
import type { RecordWrite } from './incident-store.js';
import { maskDigits } from './mask.js';

interface TrackedCall {
  info: CallInfo;
  startedAt: number;
  incident: boolean;
  /** Before the first incident: the newest final lines and cues, waiting to be kept if one comes. */
  recentLines: { line: TranscriptEvent; at: number }[];
  earlyCues: Cue[];
  /** Lines still to keep after the latest incident cue. */
  linesAfter: number;
}

const isIncidentCue = (cue: Cue): boolean => (INCIDENT_CUES as readonly string[]).includes(cue.type);
const EARLY_CUES_KEPT = 16;

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
 * claims are kept, with digit runs masked.
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
   * recorded an incident, so the record goes on. A claim is kept whichever instance took it: a
   * claimed safety alert is always an incident, recorded by the instance that raised it.
   */
  observe(info: CallInfo, event: SubscriberEvent, afterIncident = false): void {
    const key = callKey(info);
    let call = this.calls.get(key);
    if (event.type === 'call' && event.event === 'started' && !call) {
      call = { info, startedAt: this.now(), incident: afterIncident, recentLines: [], earlyCues: [], linesAfter: 0 };
      this.calls.set(key, call);
      return;
    }
    if (event.type === 'alert.claimed') {
      this.event(info, `claim:${event.seq}:${event.at}`, event.at, 'claim', { seq: event.seq, by: event.by });
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
        if (event.event === 'moved' && call.incident)
          this.event(call.info, `step:${this.now()}:${event.call.step}`, this.now(), 'step', { step: event.call.step });
        if (event.event === 'ended') {
          if (call.incident) this.emit({ kind: 'ended', tenant: info.tenant, callId: info.callId, at: this.now() });
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
      this.event(call.info, `line:${line.segmentId}`, at, 'line', lineData(line));
      return;
    }
    // The line that raises the next cue is among them, so one more than the context is kept.
    call.recentLines.push({ line, at });
    if (call.recentLines.length > this.contextLines + 1) call.recentLines.shift();
  }

  private cue(call: TrackedCall, cue: Cue): void {
    if (!isIncidentCue(cue)) {
      if (call.incident) this.event(call.info, `cue:${cue.epoch}:${cue.seq}`, cue.emittedAt, 'cue', maskCue(cue));
      else if (call.earlyCues.push(cue) > EARLY_CUES_KEPT) call.earlyCues.shift();
      return;
    }
    const { tenant, callId, agentId, teamId } = call.info;
    this.emit({
      kind: 'incident',
      tenant,
      callId,
      agentId,
      ...(teamId !== undefined ? { teamId } : {}),
      startedAt: call.startedAt,
      at: cue.emittedAt,
      cueType: cue.type,
    });
    call.incident = true;
    for (const early of call.earlyCues.splice(0))
      this.event(call.info, `cue:${early.epoch}:${early.seq}`, early.emittedAt, 'cue', maskCue(early));
    for (const { line, at } of call.recentLines.splice(0))
      this.event(call.info, `line:${line.segmentId}`, at, 'line', lineData(line));
    this.event(call.info, `cue:${cue.epoch}:${cue.seq}`, cue.emittedAt, 'cue', maskCue(cue));
    call.linesAfter = this.contextLines;
  }

  private event(info: CallInfo, key: string, at: number, type: 'line' | 'cue' | 'step' | 'claim', data: object): void {
    this.emit({
      kind: 'event',
      tenant: info.tenant,
      callId: info.callId,
      key,
      at,
      type,
      data: data as Record<string, unknown>,
    });
  }
}
