import type { Label } from '../src/classifier/verdict.js';

export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
  /** Rows whose true label is this class. */
  support: number;
  /** Rows predicted as this class. */
  predicted: number;
}

export interface Evaluation<L extends string> {
  labels: readonly L[];
  total: number;
  accuracy: number;
  /** Mean F1 over the classes present in the truth or the predictions. */
  macroF1: number;
  /** null (shown as n/a) for a class absent from both the truth and the predictions. */
  perClass: Record<L, ClassScores | null>;
  /** confusion[truth][predicted], in the order of `labels`. */
  confusion: number[][];
}

/** A ratio whose denominator is zero counts as 0, as scikit-learn's zero_division=0 does. */
const ratio = (numerator: number, denominator: number): number => (denominator === 0 ? 0 : numerator / denominator);
const harmonicMean = (a: number, b: number): number => ratio(2 * a * b, a + b);

export function evaluateLabels<L extends string>(labels: readonly L[], truth: readonly L[], predicted: readonly L[]): Evaluation<L> {
  if (truth.length !== predicted.length) throw new Error(`${truth.length} truths for ${predicted.length} predictions`);
  const index = new Map(labels.map((label, i) => [label, i]));
  const position = (label: L): number => {
    const i = index.get(label);
    if (i === undefined) throw new Error(`unknown label ${label}`);
    return i;
  };
  const confusion = labels.map(() => labels.map(() => 0));
  truth.forEach((label, i) => confusion[position(label)]![position(predicted[i]!)]!++);

  const perClass = {} as Record<L, ClassScores | null>;
  const f1s: number[] = [];
  labels.forEach((label, i) => {
    const hits = confusion[i]![i]!;
    const support = confusion[i]!.reduce((a, b) => a + b, 0);
    const predictedCount = confusion.reduce((sum, row) => sum + row[i]!, 0);
    if (support === 0 && predictedCount === 0) {
      perClass[label] = null;
      return;
    }
    const precision = ratio(hits, predictedCount);
    const recall = ratio(hits, support);
    const f1 = harmonicMean(precision, recall);
    perClass[label] = { precision, recall, f1, support, predicted: predictedCount };
    f1s.push(f1);
  });
  const correct = labels.reduce((sum, _, i) => sum + confusion[i]![i]!, 0);
  return {
    labels,
    total: truth.length,
    accuracy: ratio(correct, truth.length),
    macroF1: ratio(f1s.reduce((a, b) => a + b, 0), f1s.length),
    perClass,
    confusion,
  };
}

/** F1 of a one-vs-rest grouping of the labels. */
export function groupF1<L extends string>(truth: readonly L[], predicted: readonly L[], positive: ReadonlySet<L>): number {
  let hits = 0;
  let truePositives = 0;
  let predictedPositives = 0;
  truth.forEach((label, i) => {
    const isTrue = positive.has(label);
    const isPredicted = positive.has(predicted[i]!);
    if (isTrue) truePositives++;
    if (isPredicted) predictedPositives++;
    if (isTrue && isPredicted) hits++;
  });
  return harmonicMean(ratio(hits, predictedPositives), ratio(hits, truePositives));
}

export interface ProductMetrics {
  /** F1 of abusive-or-threat against neutral-or-venting. */
  abuseOrThreatF1: number;
  /** Share of venting utterances labelled abusive or threat; null without venting rows. */
  ventingFlagged: number | null;
  /** null without threat rows. */
  threatRecall: number | null;
  macroF1: number;
}

const FLAGGED = new Set<Label>(['abusive', 'threat']);

export function productMetrics(evaluation: Evaluation<Label>, truth: readonly Label[], predicted: readonly Label[]): ProductMetrics {
  const venting = predicted.filter((_, i) => truth[i] === 'venting');
  const threat = evaluation.perClass.threat;
  return {
    abuseOrThreatF1: groupF1(truth, predicted, FLAGGED),
    ventingFlagged: venting.length === 0 ? null : venting.filter((label) => FLAGGED.has(label)).length / venting.length,
    threatRecall: threat && threat.support > 0 ? threat.recall : null,
    macroF1: evaluation.macroF1,
  };
}
