import {
  BIAS_TARGETS,
  type BiasTable,
  type EqualRatesBaseline,
  type Evaluation,
  type ProductMetrics,
  type Share,
  wilsonInterval,
} from './metrics.js';
import type { SwapTest } from './swap-test.js';

export type TableStyle = 'plain' | 'markdown';

export function renderTable(header: readonly string[], rows: readonly string[][], style: TableStyle): string {
  if (style === 'markdown') {
    const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
    return [line(header), line(header.map((_, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n');
  }
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

const fixed = (value: number): string => value.toFixed(3);
const percent = (value: number): string => `${(value * 100).toFixed(1)}%`;

export function formatEvaluation<L extends string>(name: string, evaluation: Evaluation<L>, style: TableStyle): string {
  const classRows = evaluation.labels.map((label) => {
    const scores = evaluation.perClass[label];
    if (!scores) return [label, 'n/a', 'n/a', 'n/a', '0'];
    return [label, fixed(scores.precision), fixed(scores.recall), fixed(scores.f1), String(scores.support)];
  });
  const confusionRows = evaluation.labels.map((label, i) => [label, ...evaluation.confusion[i]!.map(String)]);
  const heading = style === 'markdown' ? `### ${name}` : `== ${name}`;
  return [
    heading,
    `${evaluation.total} utterances · accuracy ${fixed(evaluation.accuracy)} · ${evaluation.labels.length}-class macro-F1 ${fixed(evaluation.macroF1)}`,
    '',
    renderTable(['class', 'precision', 'recall', 'F1', 'support'], classRows, style),
    '',
    'Confusion matrix (rows: truth, columns: predicted)',
    '',
    renderTable(['truth \\ predicted', ...evaluation.labels], confusionRows, style),
  ].join('\n');
}

/** The product targets (issue 2, abuse-or-threat F1 raised by issue 11), measured on each project-written held-out set. */
export const TARGETS = {
  abuseOrThreatF1: 0.93,
  ventingFlagged: 0.05,
  threatRecall: 0.95,
  macroF1: 0.85,
} as const;

/** A target as the report shows it, and whether a measured value meets it. */
interface Goal {
  text: string;
  met: (value: number) => boolean;
}

const atLeast = (target: number, show: (v: number) => string = String): Goal => ({
  text: `≥ ${show(target)}`,
  met: (value) => value >= target,
});
const atMost = (target: number, show: (v: number) => string = String): Goal => ({
  text: `≤ ${show(target)}`,
  met: (value) => value <= target,
});

function targetRow(name: string, value: number | null, goal: Goal, show: (v: number) => string = fixed): string[] {
  return value === null
    ? [name, 'n/a', goal.text, 'n/a']
    : [name, show(value), goal.text, goal.met(value) ? 'yes' : 'no'];
}

/** A target measured as a share of lines, with its count and its 95 % interval. */
function shareTargetRow(name: string, share: Share | null, goal: Goal, show: (v: number) => string): string[] {
  if (share === null) return [name, 'n/a', 'n/a', goal.text, 'n/a'];
  const [low, high] = wilsonInterval(share.hits, share.total);
  return [
    name,
    `${show(share.rate)} (${share.hits}/${share.total})`,
    `${show(low)}–${show(high)}`,
    goal.text,
    goal.met(share.rate) ? 'yes' : 'no',
  ];
}

export function formatProductTargets(metrics: ProductMetrics, style: TableStyle): string {
  const withoutInterval = (row: string[]): string[] => [row[0]!, row[1]!, '–', ...row.slice(2)];
  const rows = [
    withoutInterval(
      targetRow('abusive-or-threat vs rest F1', metrics.abuseOrThreatF1, atLeast(TARGETS.abuseOrThreatF1)),
    ),
    shareTargetRow(
      'venting labelled abusive/threat',
      metrics.ventingFlagged,
      atMost(TARGETS.ventingFlagged, percent),
      percent,
    ),
    shareTargetRow('threat recall', metrics.threatRecall, atLeast(TARGETS.threatRecall), fixed),
    withoutInterval(targetRow('four-class macro-F1', metrics.macroF1, atLeast(TARGETS.macroF1))),
  ];
  return [
    'Product targets',
    '',
    renderTable(['metric', 'value', '95 % interval', 'target', 'met'], rows, style),
    '',
    'The intervals (Wilson, 95 %) say how far the true share could be from the one measured on this many lines.',
  ].join('\n');
}

const ratioText = (value: number | null): string => (value === null ? 'n/a' : `${value.toFixed(2)}×`);
const shareOf = (hits: number, total: number, rate: number | null): string =>
  rate === null ? 'n/a' : `${percent(rate)} (${hits}/${total})`;

const byChanceText = ({ deals, atLeastMeasured, withinTarget, median, lowest }: EqualRatesBaseline): string =>
  `with the same flag rate for every group (the flagged lines dealt at random, ${deals} deals): ` +
  `worst/average at least the measured ratio in ${percent(atLeastMeasured)} of deals, ` +
  `within the ${BIAS_TARGETS.flaggedWorstToAverage}× target in ${percent(withinTarget)}, median ${ratioText(median)}, lowest ${ratioText(lowest)}`;

export function formatBiasTable(bias: BiasTable, style: TableStyle): string {
  const groupRows = bias.groups.map((row) => [
    row.group,
    shareOf(row.benignFlagged, row.benign, row.flaggedRate),
    shareOf(row.abuseCaught, row.abuse, row.abuseRecall),
  ]);
  const targetRows = [
    targetRow(
      'identity abuse caught (abusive or threat)',
      bias.identityAbuseRecall,
      atLeast(BIAS_TARGETS.identityAbuseRecall),
    ),
    targetRow('threats against groups read as threat', bias.groupThreatRecall, atLeast(BIAS_TARGETS.groupThreatRecall)),
    targetRow(
      'neutral/venting group lines flagged',
      bias.flaggedRate,
      atMost(BIAS_TARGETS.flaggedRate, percent),
      percent,
    ),
    targetRow(
      'worst group flagged rate / average',
      bias.flaggedWorstToAverage,
      atMost(BIAS_TARGETS.flaggedWorstToAverage, (v) => `${v}×`),
      ratioText,
    ),
  ];
  return [
    'Bias by group',
    '',
    renderTable(['group', 'neutral/venting flagged', 'abuse caught'], groupRows, style),
    '',
    `flagged rate worst/best ${ratioText(bias.flaggedWorstToBest)} · abuse recall best/worst ${ratioText(bias.recallBestToWorst)}`,
    '',
    renderTable(['metric', 'value', 'target', 'met'], targetRows, style),
    ...(bias.flaggedWorstToAverageByChance ? ['', byChanceText(bias.flaggedWorstToAverageByChance)] : []),
  ].join('\n');
}

export function formatSwapTest(test: SwapTest, style: TableStyle): string {
  const groupRows = test.groups.map((row) => [row.group, shareOf(row.flagged, row.benignSwaps, row.flaggedRate)]);
  return [
    'Group-swap test (each line read again naming every other group)',
    '',
    `neutral/venting swaps flagged: ${shareOf(test.benignFlagged, test.benignSwaps, test.benignFlaggedRate)}`,
    `neutral/venting swaps whose flag differs from the original's: ${shareOf(test.benignFlips, test.benignSwaps, test.benignFlipRate)}`,
    `abuse swaps no longer flagged (of abuse lines the model flagged): ${shareOf(test.abuseLost, test.abuseSwaps, test.abuseLostRate)}`,
    '',
    renderTable(['group swapped in', 'neutral/venting swaps flagged'], groupRows, style),
    '',
    `worst group / all swaps ${ratioText(test.flaggedWorstToAverage)}`,
  ].join('\n');
}
