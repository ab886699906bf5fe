import { AGENT_ACTS, LABELS } from '../src/protocol/labels.js';
import type { AgentAct, Label } from '../src/protocol/verdict.js';
import { acceptableLabels, type EvalCall } from './call-eval-set.js';
import { evaluateLabels, type Evaluation } from './metrics.js';

/** A cue the service raised, with the turn index of the utterance its evidence starts with (none for break-debrief). */
export interface ObservedCue {
  type: string;
  evidenceLine?: number;
}

/** How the service labelled one turn's final; absent when no labelled final came back. */
export interface ObservedLine {
  label?: Label;
  act?: AgentAct;
}

export interface ObservedCall {
  cues: ObservedCue[];
  /** By turn index. */
  lines: ObservedLine[];
}

export const SAFETY_ALERT = 'safety-alert';

export const ALERT_OUTCOMES = ['right', 'missed', 'false-alert', 'wrong-line'] as const;
export type AlertOutcome = (typeof ALERT_OUTCOMES)[number];

export interface CallScore {
  id: string;
  category: string;
  threat: boolean;
  right: boolean;
  missingCues: string[];
  unwantedCues: string[];
  alert: AlertOutcome;
  /** Turn index the first safety alert pointed at, if there was one. */
  alertedLine?: number;
  /** Cue types in the order raised. */
  cues: string[];
}

/** Scores one call against what a supervisor expects: every required cue, no forbidden one, and the safety alert right (on the right line). */
export function scoreCall(call: EvalCall, observed: ObservedCall): CallScore {
  const raised = new Set(observed.cues.map((cue) => cue.type));
  const alert = observed.cues.find((cue) => cue.type === SAFETY_ALERT);
  const missingCues = call.mustCues.filter((type) => !raised.has(type));
  const unwantedCues = call.mustNotCues.filter((type) => raised.has(type));
  const outcome = alertOutcome(call, alert);
  return {
    id: call.id,
    category: call.category,
    threat: call.safetyAlert,
    right: missingCues.length === 0 && unwantedCues.length === 0 && outcome === 'right',
    missingCues,
    unwantedCues,
    alert: outcome,
    ...(alert?.evidenceLine !== undefined ? { alertedLine: alert.evidenceLine } : {}),
    cues: observed.cues.map((cue) => cue.type),
  };
}

function alertOutcome(call: EvalCall, alert: ObservedCue | undefined): AlertOutcome {
  if (!call.safetyAlert) return alert ? 'false-alert' : 'right';
  if (!alert) return 'missed';
  return alert.evidenceLine === call.alertLine ? 'right' : 'wrong-line';
}

/** Why a call is wrong, in words for the report (empty when it is right). */
export function reasons(score: CallScore): string[] {
  const out: string[] = [];
  if (score.alert === 'missed') out.push('no safety alert');
  if (score.alert === 'false-alert') out.push(`false safety alert (line ${score.alertedLine ?? '?'})`);
  if (score.alert === 'wrong-line') out.push(`safety alert on line ${score.alertedLine ?? '?'}`);
  const alertReported = score.alert !== 'right';
  for (const type of score.missingCues) if (!(alertReported && type === SAFETY_ALERT)) out.push(`missing ${type}`);
  for (const type of score.unwantedCues) if (!(alertReported && type === SAFETY_ALERT)) out.push(`unwanted ${type}`);
  return out;
}

export interface LineLabels<L extends string> {
  truth: L[];
  predicted: L[];
  /** Lines with an expected value that came back without one. */
  unanswered: number;
}

/**
 * Expected vs predicted labels of every line of one speaker. A line with several acceptable
 * labels counts as right when the prediction is one of them, so its truth is the prediction then.
 */
export function lineLabels(
  calls: readonly EvalCall[],
  observed: readonly ObservedCall[],
  speaker: 'customer' | 'agent',
): LineLabels<Label> {
  const result: LineLabels<Label> = { truth: [], predicted: [], unanswered: 0 };
  calls.forEach((call, c) =>
    call.turns.forEach((turn, i) => {
      if (turn.speaker !== speaker) return;
      const predicted = observed[c]!.lines[i]?.label;
      if (predicted === undefined) {
        result.unanswered++;
        return;
      }
      const acceptable = acceptableLabels(turn);
      result.truth.push(acceptable.includes(predicted) ? predicted : acceptable[0]!);
      result.predicted.push(predicted);
    }),
  );
  return result;
}

/** Expected vs predicted acts of the agent lines that name one; lines the service gave no act count as unanswered. */
export function agentActs(calls: readonly EvalCall[], observed: readonly ObservedCall[]): LineLabels<AgentAct> {
  const result: LineLabels<AgentAct> = { truth: [], predicted: [], unanswered: 0 };
  calls.forEach((call, c) =>
    call.turns.forEach((turn, i) => {
      if (turn.speaker !== 'agent' || turn.act === undefined) return;
      const predicted = observed[c]!.lines[i]?.act;
      if (predicted === undefined) {
        result.unanswered++;
        return;
      }
      result.truth.push(turn.act);
      result.predicted.push(predicted);
    }),
  );
  return result;
}

export interface CategorySummary {
  category: string;
  calls: number;
  right: number;
  falseAlerts: number;
  threatsMissed: number;
  wrongLine: number;
}

export interface EvalSummary {
  calls: number;
  right: number;
  threatCalls: number;
  nonThreatCalls: number;
  falseAlerts: number;
  /** Non-threat calls with a safety alert, per 100 non-threat calls. */
  falseAlertsPer100: number;
  threatsMissed: number;
  wrongLineAlerts: number;
  categories: CategorySummary[];
  customerLines: Evaluation<Label> & { unanswered: number };
  agentLines: Evaluation<Label> & { unanswered: number };
  /** null when the service reported no act for any agent line. */
  agentActs: (Evaluation<AgentAct> & { unanswered: number }) | null;
  wrong: Array<{ id: string; category: string; reasons: string[] }>;
}

const per100 = (count: number, of: number): number => (of === 0 ? 0 : (100 * count) / of);

function byCategory(scores: readonly CallScore[]): CategorySummary[] {
  const rows = new Map<string, CategorySummary>();
  for (const score of scores) {
    const row = rows.get(score.category) ?? {
      category: score.category,
      calls: 0,
      right: 0,
      falseAlerts: 0,
      threatsMissed: 0,
      wrongLine: 0,
    };
    row.calls++;
    if (score.right) row.right++;
    if (score.alert === 'false-alert') row.falseAlerts++;
    if (score.alert === 'missed') row.threatsMissed++;
    if (score.alert === 'wrong-line') row.wrongLine++;
    rows.set(score.category, row);
  }
  return [...rows.values()].sort((a, b) => a.category.localeCompare(b.category));
}

function withUnanswered<L extends string>(
  labels: readonly L[],
  lines: LineLabels<L>,
): Evaluation<L> & { unanswered: number } {
  return { ...evaluateLabels(labels, lines.truth, lines.predicted), unanswered: lines.unanswered };
}

/** The call-level numbers of issue 11 from every call's score and what the service said on each line. */
export function summarise(
  calls: readonly EvalCall[],
  observed: readonly ObservedCall[],
  scores: readonly CallScore[],
): EvalSummary {
  const threat = scores.filter((score) => score.threat);
  const nonThreat = scores.filter((score) => !score.threat);
  const falseAlerts = nonThreat.filter((score) => score.alert === 'false-alert').length;
  const acts = agentActs(calls, observed);
  return {
    calls: scores.length,
    right: scores.filter((score) => score.right).length,
    threatCalls: threat.length,
    nonThreatCalls: nonThreat.length,
    falseAlerts,
    falseAlertsPer100: per100(falseAlerts, nonThreat.length),
    threatsMissed: threat.filter((score) => score.alert === 'missed').length,
    wrongLineAlerts: threat.filter((score) => score.alert === 'wrong-line').length,
    categories: byCategory(scores),
    customerLines: withUnanswered(LABELS, lineLabels(calls, observed, 'customer')),
    agentLines: withUnanswered(LABELS, lineLabels(calls, observed, 'agent')),
    agentActs: acts.truth.length === 0 ? null : withUnanswered(AGENT_ACTS, acts),
    wrong: scores
      .filter((score) => !score.right)
      .map((score) => ({ id: score.id, category: score.category, reasons: reasons(score) })),
  };
}

/** Issue 11's call-level targets. */
export const CALL_TARGETS = { rightShare: 0.9, falseAlertsPer100: 2, threatsMissed: 0, wrongLineAlerts: 0 } as const;
