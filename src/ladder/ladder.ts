import { threatScoreOf, type AgentAct, type Label } from '../protocol/verdict.js';
import type { AckStep } from '../protocol/common.js';
import type { CueType, Evidence, LadderStep, Severity } from '../protocol/cue.js';
import { buildBriefing } from './briefing.js';
import type { Policy } from './policy.js';
import { wordOverlap } from './similarity.js';
import type { CueDraft, LadderEvent, LadderState, Rung, Transition, Utterance } from './state.js';

/** The ladder's rungs above "nothing yet", with the step, cue and severity each one means. */
const RUNGS: Record<Exclude<Rung, 0>, { step: LadderStep; cue: CueType; severity: Severity }> = {
  1: { step: 'limit', cue: 'set-limit', severity: 'notice' },
  2: { step: 'warning', cue: 'warn', severity: 'warning' },
  3: { step: 'transfer', cue: 'transfer', severity: 'warning' },
  4: { step: 'release', cue: 'release', severity: 'critical' },
};

const ACK_RUNG: Record<AckStep, Exclude<Rung, 0>> = { 'limit-set': 1, 'warning-given': 2, transferred: 3, released: 4 };
/** Agent acts that take a step of the ladder. A conditional ("if this goes on I'll transfer you") is a warning. */
const ACT_RUNG: Partial<Record<AgentAct, Exclude<Rung, 0>>> = { 'set-limit': 1, warn: 2, transfer: 3, release: 4 };

/** How the ladder reads a customer line: `menace` is a threat score too low to alert on, too high to let pass. */
export type Reading = Label | 'menace';

/**
 * The reading the ladder acts on: threat scores fall into three bands; abuse below the policy's score
 * is venting. The threat score is the higher of the line read in its context and read alone, so that
 * context cannot talk a threat down. Once the call has had abuse (counted, or a limit set by the
 * agent), a later line is read with the lower repeat score, as a supervisor hears a second put-down
 * after the first. A line labelled neutral with a venting score from the policy's point is a calm
 * complaint, read as venting, so that a caller who repeats it calmly is acknowledged too.
 */
export function readCustomer(utterance: Utterance, policy: Policy, abusedBefore: boolean): Reading {
  const { label, scores } = utterance.verdict;
  const t = policy.thresholds;
  const threat = threatScoreOf(utterance.verdict);
  if (threat >= t.threatMinScore) return 'threat';
  if (threat >= t.menaceMinScore) return 'menace';
  const abusiveMin = abusedBefore ? t.abusiveRepeatMinScore : t.abusiveMinScore;
  if (label === 'threat' || label === 'abusive') return scores.abusive >= abusiveMin ? 'abusive' : 'venting';
  if (label === 'neutral' && scores.venting >= t.ventingMinScore) return 'venting';
  return label;
}

/** The act the ladder acts on: one the model is unsure of counts as `other`. */
export function readAgentAct(utterance: Utterance, policy: Policy): AgentAct {
  const { act, actScores } = utterance.verdict;
  if (act === undefined) return 'other';
  const sure = actScores === undefined || actScores[act] >= policy.thresholds.agentActMinScore;
  return sure ? act : 'other';
}

const evidenceOf = (u: Utterance, label: Label): Evidence => ({
  utteranceId: u.utteranceId,
  speaker: u.speaker,
  text: u.text,
  label,
  scores: u.verdict.scores,
  ...(u.verdict.threatAlone === undefined ? {} : { threatAlone: u.verdict.threatAlone }),
  spans: u.verdict.spans,
  startMs: u.startMs,
  endMs: u.endMs,
});

const withStep = (steps: LadderStep[], step: LadderStep): LadderStep[] =>
  steps.at(-1) === step ? steps : [...steps, step];

class Builder {
  readonly cues: CueDraft[] = [];
  constructor(
    public state: LadderState,
    private readonly policy: Policy,
  ) {}

  set(patch: Partial<LadderState>): void {
    this.state = { ...this.state, ...patch };
  }

  moveTo(step: LadderStep): void {
    this.set({ step, stepsTaken: withStep(this.state.stepsTaken, step) });
  }

  cue(type: CueType, severity: Severity, evidence: Evidence[], withBriefing = false): void {
    this.cues.push({
      type,
      severity,
      step: this.state.step,
      script: this.policy.scripts[type],
      evidence,
      ...(withBriefing ? { briefing: buildBriefing(this.state) } : {}),
    });
  }

  /** Raises the rung to `rung` without a cue: the agent has taken the step on their own. */
  taken(rung: Exclude<Rung, 0>): void {
    if (rung <= this.state.rung) return;
    this.set({ rung, recovered: false, calmTurns: 0 });
    if (this.state.step !== 'safety') this.moveTo(RUNGS[rung].step);
  }

  recordIncident(u: Utterance, label: 'abusive' | 'threat'): void {
    const incidents = [...this.state.incidents, { utteranceId: u.utteranceId, text: u.text, label, atMs: u.startMs }];
    this.set({
      incidents: incidents.slice(-this.policy.thresholds.briefingIncidents),
      firstIncidentMs: this.state.firstIncidentMs ?? u.startMs,
      abusiveCount: this.state.abusiveCount + (label === 'abusive' ? 1 : 0),
      threatCount: this.state.threatCount + (label === 'threat' ? 1 : 0),
      calmTurns: 0,
      recovered: false,
      ventRun: 0,
      acknowledgedRun: false,
    });
  }
}

function alert(b: Builder, u: Utterance): void {
  // One alert per call: once the safety procedure has taken over, later threats are kept as evidence for the briefing.
  const alerted = b.state.step === 'safety';
  const earlier = b.state.menacePending;
  b.recordIncident(u, 'threat');
  b.set({ menacePending: undefined });
  if (alerted) return;
  b.moveTo('safety');
  // The line that carried the threat comes first; an ambiguous line it confirmed follows.
  b.cue('safety-alert', 'critical', [evidenceOf(u, 'threat'), ...(earlier ? [earlier] : [])], true);
}

function customerTurn(b: Builder, u: Utterance, context: readonly string[], policy: Policy): void {
  const reading = readCustomer(u, policy, b.state.rung > 0 || b.state.abusiveCount > 0);
  if (reading === 'threat' || (reading === 'menace' && (b.state.menacePending || b.state.step === 'safety'))) {
    b.set({ lastCustomerLabel: 'threat' });
    alert(b, u);
    return;
  }
  if (reading === 'menace') {
    // Ambiguous: the agent asks what the caller meant, the supervisor hears of it quietly; the next line decides.
    const evidence = evidenceOf(u, 'threat');
    b.set({ menacePending: evidence });
    b.cue('ask-meaning', 'notice', [evidence]);
    return;
  }
  const label = reading;
  const evidence = [evidenceOf(u, label)];
  b.set({ lastCustomerLabel: label, menacePending: undefined });
  if (label === 'abusive') {
    b.recordIncident(u, 'abusive');
    // Once safety has taken over, the ladder no longer applies; after release there is no step left.
    if (b.state.step === 'safety' || b.state.rung === 4) return;
    const rung = (b.state.rung + 1) as Exclude<Rung, 0>;
    b.set({ rung });
    b.moveTo(RUNGS[rung].step);
    b.cue(RUNGS[rung].cue, RUNGS[rung].severity, evidence, rung === 3);
    return;
  }
  const t = policy.thresholds;
  const calmTurns = b.state.calmTurns + 1;
  b.set({ calmTurns });
  const inLimitOrWarning = b.state.step === 'limit' || b.state.step === 'warning';
  if (inLimitOrWarning && !b.state.recovered && calmTurns >= t.calmTurnsToRecover) {
    b.set({ recovered: true, ventRun: 0, acknowledgedRun: false });
    b.moveTo('solve');
    b.cue('back-to-solving', 'info', evidence);
    return;
  }
  if (label === 'neutral') {
    b.set({ ventRun: 0, acknowledgedRun: false });
    return;
  }
  const ventRun = b.state.ventRun + 1;
  b.set({ ventRun });
  const onSolvingSide = b.state.step === 'listen' || b.state.step === 'solve' || b.state.step === 'acknowledge';
  if (!onSolvingSide) return;
  const repeating =
    ventRun >= t.ventsBeforeAcknowledge || context.some((turn) => wordOverlap(turn, u.text) >= t.repeatSimilarity);
  if (repeating && !b.state.acknowledgedRun) {
    b.set({ acknowledgedRun: true, ventCued: true });
    b.moveTo('acknowledge');
    b.cue('acknowledge', 'info', evidence);
  } else if (!b.state.ventCued) {
    b.set({ ventCued: true });
    b.cue('let-vent', 'info', evidence);
  }
}

function agentTurn(b: Builder, u: Utterance, policy: Policy): void {
  const act = readAgentAct(u, policy);
  const rung = ACT_RUNG[act];
  if (rung !== undefined) {
    b.taken(rung);
    return;
  }
  // Sympathy that names or echoes the caller's anger is not the agent losing their temper.
  if (act === 'acknowledge' && u.verdict.label === 'venting') return;
  const { label, scores } = u.verdict;
  const heated =
    (label === 'venting' || label === 'abusive' || label === 'threat') &&
    scores[label] >= policy.thresholds.agentHeatMinScore;
  if (!heated) return;
  const last = b.state.lastStayCalmMs;
  if (last !== undefined && u.endMs - last < policy.thresholds.stayCalmCooldownMs) return;
  b.set({ lastStayCalmMs: u.endMs });
  b.cue('stay-calm', label === 'venting' ? 'notice' : 'warning', [evidenceOf(u, label)]);
}

/** The ladder: a pure function of the call's state and one event. */
export function advance(state: LadderState, event: LadderEvent, policy: Policy): Transition {
  const b = new Builder(state, policy);
  if (state.ended) return { state, cues: [] };
  switch (event.type) {
    case 'utterance':
      if (event.utterance.speaker === 'customer') customerTurn(b, event.utterance, event.context, policy);
      else agentTurn(b, event.utterance, policy);
      break;
    case 'agent-ack':
      b.taken(ACK_RUNG[event.step]);
      break;
    case 'call-end':
      b.set({ ended: true });
      if (state.abusiveCount + state.threatCount > 0) b.cue('break-debrief', 'info', [], true);
      break;
  }
  return { state: b.state, cues: b.cues };
}
