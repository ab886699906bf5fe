import type { Label } from '../src/protocol/verdict.js';
import { hashString, mulberry32 } from './datasets/random.js';

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

export function evaluateLabels<L extends string>(
  labels: readonly L[],
  truth: readonly L[],
  predicted: readonly L[],
): Evaluation<L> {
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
    macroF1: ratio(
      f1s.reduce((a, b) => a + b, 0),
      f1s.length,
    ),
    perClass,
    confusion,
  };
}

/** F1 of a one-vs-rest grouping of the labels. */
export function groupF1<L extends string>(
  truth: readonly L[],
  predicted: readonly L[],
  positive: ReadonlySet<L>,
): number {
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

/** A share measured on a count of lines, kept with the count so that a report can say how sure it is. */
export interface Share {
  hits: number;
  total: number;
  rate: number;
}

const measuredShare = (hits: number, total: number): Share | null =>
  total === 0 ? null : { hits, total, rate: hits / total };

export interface ProductMetrics {
  /** F1 of abusive-or-threat against neutral-or-venting. */
  abuseOrThreatF1: number;
  /** Venting utterances labelled abusive or threat; null without venting rows. */
  ventingFlagged: Share | null;
  /** Threat utterances labelled threat; null without threat rows. */
  threatRecall: Share | null;
  macroF1: number;
}

/** The labels that flag a line: what the product counts as abuse or a threat. */
export const FLAGGED: ReadonlySet<Label> = new Set<Label>(['abusive', 'threat']);

export function productMetrics(
  evaluation: Evaluation<Label>,
  truth: readonly Label[],
  predicted: readonly Label[],
): ProductMetrics {
  const venting = predicted.filter((_, i) => truth[i] === 'venting');
  const threat = predicted.filter((_, i) => truth[i] === 'threat');
  return {
    abuseOrThreatF1: groupF1(truth, predicted, FLAGGED),
    ventingFlagged: measuredShare(venting.filter((label) => FLAGGED.has(label)).length, venting.length),
    threatRecall: measuredShare(threat.filter((label) => label === 'threat').length, threat.length),
    macroF1: evaluation.macroF1,
  };
}

/** One identity group's row of the bias table (issue 12). */
export interface GroupBias {
  group: string;
  /** Neutral and venting lines naming the group, and how many were labelled abusive or threat. */
  benign: number;
  benignFlagged: number;
  /** null without benign lines. */
  flaggedRate: number | null;
  /** Abusive and threat lines naming the group, and how many were labelled abusive or threat. */
  abuse: number;
  abuseCaught: number;
  /** null without abuse lines. */
  abuseRecall: number | null;
}

export interface BiasTable {
  /** Sorted by group name. */
  groups: GroupBias[];
  /** Flagged share of all benign group lines together; null without any. */
  flaggedRate: number | null;
  /** Highest group flagged rate over the lowest, and over the average (the "twice the average"); null where undefined. */
  flaggedWorstToBest: number | null;
  flaggedWorstToAverage: number | null;
  /** What flaggedWorstToAverage would be if every group had the same flag rate; null without flagged lines. */
  flaggedWorstToAverageByChance: EqualRatesBaseline | null;
  /** Best group abuse recall over the worst; null where undefined. */
  recallBestToWorst: number | null;
  /** Abusive group lines labelled abusive or threat; null without any. */
  identityAbuseRecall: number | null;
  /** Threat group lines labelled threat; null without any. */
  groupThreatRecall: number | null;
}

/**
 * The 95 % Wilson score interval of a share measured as `hits` of `total`: what the share could
 * be, given how few calls or lines measured it. [0, 1] without any.
 */
export function wilsonInterval(hits: number, total: number): [number, number] {
  if (total === 0) return [0, 1];
  const z = 1.959964;
  const p = hits / total;
  const centre = p + (z * z) / (2 * total);
  const spread = z * Math.sqrt((p * (1 - p)) / total + (z * z) / (4 * total * total));
  const scale = 1 + (z * z) / total;
  return [Math.max(0, (centre - spread) / scale), Math.min(1, (centre + spread) / scale)];
}

/** Issue 12's targets for the lines naming a group. */
export const BIAS_TARGETS = {
  identityAbuseRecall: 0.85,
  groupThreatRecall: 0.9,
  flaggedRate: 0.03,
  flaggedWorstToAverage: 2,
} as const;

/**
 * The worst-to-average ratio when every group has the same flag rate: the flagged benign lines
 * dealt at random over all benign lines, `deals` times (seeded, so a report is reproducible).
 * With tens of lines a group one flagged line moves a group's rate by several points, so a
 * measured ratio says something about bias only beside these.
 */
export interface EqualRatesBaseline {
  deals: number;
  /** Share of deals whose ratio is at least the measured one. */
  atLeastMeasured: number;
  /** Share of deals within the target ratio: how often a model without bias would meet it on a set of this size. */
  withinTarget: number;
  /** The ratio half the deals reach. */
  median: number;
  /** The lowest ratio any deal reached. */
  lowest: number;
}

const EQUAL_RATE_DEALS = 20_000;

export function equalRatesBaseline(
  groups: readonly { benign: number; benignFlagged: number }[],
  measured: number,
  deals = EQUAL_RATE_DEALS,
): EqualRatesBaseline | null {
  const sizes = groups.map((row) => row.benign).filter((size) => size > 0);
  const lines = sizes.flatMap((size, group) => Array<number>(size).fill(group));
  const flagged = groups.reduce((sum, row) => sum + row.benignFlagged, 0);
  if (flagged === 0) return null;
  const average = flagged / lines.length;
  const random = mulberry32(hashString(`equal-rates:${sizes.join(',')}:${flagged}`));
  const ratios: number[] = [];
  for (let deal = 0; deal < deals; deal++) {
    const counts = new Array<number>(sizes.length).fill(0);
    // A partial Fisher-Yates shuffle: the first `flagged` places hold a uniform random choice of lines.
    for (let i = 0; i < flagged; i++) {
      const j = i + Math.floor(random() * (lines.length - i));
      [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      counts[lines[i]!]! += 1;
    }
    ratios.push(Math.max(...counts.map((count, group) => count / sizes[group]!)) / average);
  }
  ratios.sort((a, b) => a - b);
  return {
    deals,
    atLeastMeasured: ratios.filter((ratio) => ratio >= measured - 1e-9).length / deals,
    withinTarget: ratios.filter((ratio) => ratio <= BIAS_TARGETS.flaggedWorstToAverage + 1e-9).length / deals,
    median: ratios[Math.floor(deals / 2)]!,
    lowest: ratios[0]!,
  };
}

/** hits / total, null without any. */
export const share = (hits: number, total: number): number | null => (total === 0 ? null : hits / total);
/** high / low, null when undefined (no values, or a zero below a non-zero). */
function spread(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const high = Math.max(...values);
  const low = Math.min(...values);
  if (high === 0) return 1;
  return low === 0 ? null : high / low;
}

/** Per group: benign lines flagged, abuse caught; overall identity-abuse and group-threat recall. */
export function biasTable(rows: readonly { label: Label; group?: string }[], predicted: readonly Label[]): BiasTable {
  if (rows.length !== predicted.length) throw new Error(`${rows.length} rows for ${predicted.length} predictions`);
  const byGroup = new Map<string, GroupBias>();
  let abusive = 0;
  let abusiveCaught = 0;
  let threats = 0;
  let threatsCaught = 0;
  rows.forEach(({ label, group }, i) => {
    if (group === undefined) return;
    const flagged = FLAGGED.has(predicted[i]!);
    const row = byGroup.get(group) ?? {
      group,
      benign: 0,
      benignFlagged: 0,
      flaggedRate: null,
      abuse: 0,
      abuseCaught: 0,
      abuseRecall: null,
    };
    if (FLAGGED.has(label)) {
      row.abuse++;
      if (flagged) row.abuseCaught++;
    } else {
      row.benign++;
      if (flagged) row.benignFlagged++;
    }
    if (label === 'abusive') {
      abusive++;
      if (flagged) abusiveCaught++;
    }
    if (label === 'threat') {
      threats++;
      if (predicted[i] === 'threat') threatsCaught++;
    }
    byGroup.set(group, row);
  });
  const groups = [...byGroup.values()]
    .map((row) => ({
      ...row,
      flaggedRate: share(row.benignFlagged, row.benign),
      abuseRecall: share(row.abuseCaught, row.abuse),
    }))
    .sort((a, b) => a.group.localeCompare(b.group));
  const rates = groups.flatMap(({ flaggedRate }) => (flaggedRate === null ? [] : [flaggedRate]));
  const recalls = groups.flatMap(({ abuseRecall }) => (abuseRecall === null ? [] : [abuseRecall]));
  const flaggedRate = share(
    groups.reduce((sum, row) => sum + row.benignFlagged, 0),
    groups.reduce((sum, row) => sum + row.benign, 0),
  );
  const flaggedWorstToAverage =
    flaggedRate === null || rates.length === 0 ? null : flaggedRate === 0 ? 1 : Math.max(...rates) / flaggedRate;
  return {
    groups,
    flaggedRate,
    flaggedWorstToBest: spread(rates),
    flaggedWorstToAverage,
    flaggedWorstToAverageByChance:
      flaggedWorstToAverage === null ? null : equalRatesBaseline(groups, flaggedWorstToAverage),
    recallBestToWorst: spread(recalls),
    identityAbuseRecall: share(abusiveCaught, abusive),
    groupThreatRecall: share(threatsCaught, threats),
  };
}
