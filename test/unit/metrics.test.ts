import { describe, expect, it } from 'vitest';
import { LABELS } from '../../src/protocol/labels.js';
import type { Label } from '../../src/protocol/verdict.js';
import {
  biasTable,
  equalRatesBaseline,
  evaluateLabels,
  groupF1,
  productMetrics,
  wilsonInterval,
} from '../../training/metrics.js';
import { formatBiasTable, formatEvaluation, formatProductTargets, renderTable } from '../../training/metrics-report.js';

const truth: Label[] = ['neutral', 'neutral', 'venting', 'venting', 'abusive', 'abusive', 'threat', 'threat'];
const predicted: Label[] = ['neutral', 'venting', 'venting', 'abusive', 'abusive', 'abusive', 'threat', 'abusive'];

describe('evaluateLabels', () => {
  const evaluation = evaluateLabels(LABELS, truth, predicted);

  it('builds the confusion matrix with truth as rows', () => {
    expect(evaluation.confusion).toEqual([
      [1, 1, 0, 0],
      [0, 1, 1, 0],
      [0, 0, 2, 0],
      [0, 0, 1, 1],
    ]);
  });

  it('computes per-class precision, recall and F1, accuracy and macro-F1', () => {
    expect(evaluation.perClass.abusive).toEqual({ precision: 0.5, recall: 1, f1: 2 / 3, support: 2, predicted: 4 });
    expect(evaluation.perClass.neutral).toMatchObject({ precision: 1, recall: 0.5 });
    expect(evaluation.perClass.threat?.f1).toBeCloseTo(2 / 3);
    expect(evaluation.accuracy).toBe(5 / 8);
    const f1s = LABELS.map((label) => evaluation.perClass[label]!.f1);
    expect(evaluation.macroF1).toBeCloseTo(f1s.reduce((a, b) => a + b) / 4);
  });

  it('marks classes absent from truth and predictions as n/a and leaves them out of macro-F1', () => {
    const partial = evaluateLabels(LABELS, ['neutral', 'abusive'], ['neutral', 'venting']);
    expect(partial.perClass.threat).toBeNull();
    expect(partial.perClass.venting).toEqual({ precision: 0, recall: 0, f1: 0, support: 0, predicted: 1 });
    expect(partial.macroF1).toBeCloseTo(1 / 3);
    expect(formatEvaluation('partial', partial, 'plain')).toMatch(/threat\s+n\/a\s+n\/a\s+n\/a\s+0/);
  });

  it('rejects mismatched lengths and unknown labels', () => {
    expect(() => evaluateLabels(LABELS, ['neutral'], [])).toThrow();
    expect(() => evaluateLabels(LABELS, ['neutral'], ['rude' as Label])).toThrow(/unknown label/);
  });
});

describe('product metrics', () => {
  it('groups abusive and threat against the rest', () => {
    // flagged truth: 4 rows; flagged predictions: 5, of which 4 right.
    expect(groupF1(truth, predicted, new Set<Label>(['abusive', 'threat']))).toBeCloseTo((2 * 0.8 * 1) / 1.8);
    const metrics = productMetrics(evaluateLabels(LABELS, truth, predicted), truth, predicted);
    expect(metrics.ventingFlagged).toEqual({ hits: 1, total: 2, rate: 0.5 });
    expect(metrics.threatRecall).toEqual({ hits: 1, total: 2, rate: 0.5 });
  });

  it('shows each share with its count and 95 % interval, and an F1 without one', () => {
    const table = formatProductTargets(
      productMetrics(evaluateLabels(LABELS, truth, predicted), truth, predicted),
      'plain',
    );
    const [low, high] = wilsonInterval(1, 2).map((bound) => `${(bound * 100).toFixed(1)}%`);
    expect(table).toMatch(
      new RegExp(`venting labelled abusive/threat\\s+50\\.0% \\(1/2\\)\\s+${low}–${high}\\s+≤ 5\\.0%\\s+no`),
    );
    expect(table).toMatch(/threat recall\s+0\.500 \(1\/2\)\s+0\.\d{3}–0\.\d{3}\s+≥ 0\.95\s+no/);
    expect(table).toMatch(/four-class macro-F1\s+\d\.\d{3}\s+–\s+≥ 0\.85/);
  });

  it('reports n/a without venting or threat rows', () => {
    const t: Label[] = ['neutral', 'abusive'];
    const metrics = productMetrics(evaluateLabels(LABELS, t, t), t, t);
    expect(metrics).toMatchObject({ abuseOrThreatF1: 1, ventingFlagged: null, threatRecall: null });
    expect(formatProductTargets(metrics, 'plain')).toMatch(/threat recall\s+n\/a/);
  });
});

describe('renderTable', () => {
  it('renders aligned plain text and Markdown', () => {
    expect(renderTable(['a', 'bb'], [['xyz', '1']], 'plain')).toBe('a    bb\nxyz   1');
    expect(renderTable(['a', 'bb'], [['xyz', '1']], 'markdown')).toBe('| a | bb |\n| --- | ---: |\n| xyz | 1 |');
  });
});

describe('bias table', () => {
  // [truth, group, predicted]
  const rows: [Label, string | undefined, Label][] = [
    ['neutral', 'deaf', 'neutral'],
    ['neutral', 'deaf', 'abusive'],
    ['venting', 'deaf', 'venting'],
    ['venting', 'deaf', 'threat'],
    ['abusive', 'deaf', 'abusive'],
    ['abusive', 'deaf', 'neutral'],
    ['neutral', 'muslim', 'neutral'],
    ['neutral', 'muslim', 'neutral'],
    ['neutral', 'muslim', 'venting'],
    ['neutral', 'muslim', 'abusive'],
    ['abusive', 'muslim', 'threat'],
    ['threat', 'muslim', 'threat'],
    ['threat', 'muslim', 'abusive'],
    ['abusive', undefined, 'neutral'],
  ];
  const table = biasTable(
    rows.map(([label, group]) => ({ label, ...(group ? { group } : {}) })),
    rows.map(([, , p]) => p),
  );

  it('counts benign lines flagged and abuse caught per group, ignoring untagged lines', () => {
    expect(table.groups).toEqual([
      { group: 'deaf', benign: 4, benignFlagged: 2, flaggedRate: 0.5, abuse: 2, abuseCaught: 1, abuseRecall: 0.5 },
      { group: 'muslim', benign: 4, benignFlagged: 1, flaggedRate: 0.25, abuse: 3, abuseCaught: 3, abuseRecall: 1 },
    ]);
  });

  it('summarises the spread and the identity targets', () => {
    expect(table.flaggedRate).toBe(3 / 8);
    expect(table.flaggedWorstToBest).toBe(2);
    expect(table.flaggedWorstToAverage).toBeCloseTo(0.5 / (3 / 8));
    expect(table.recallBestToWorst).toBe(2);
    // abusive group lines: 3, of which 2 labelled abusive or threat; threats: 2, of which 1 labelled threat.
    expect(table.identityAbuseRecall).toBeCloseTo(2 / 3);
    expect(table.groupThreatRecall).toBe(0.5);
  });

  it('leaves undefined ratios out and renders n/a for them', () => {
    const clean = biasTable(
      [
        { label: 'neutral', group: 'deaf' },
        { label: 'neutral', group: 'muslim' },
      ],
      ['abusive', 'neutral'],
    );
    expect(clean.flaggedWorstToBest).toBeNull();
    expect(clean.recallBestToWorst).toBeNull();
    expect(clean.identityAbuseRecall).toBeNull();
    const text = formatBiasTable(clean, 'plain');
    expect(text).toMatch(/deaf\s+100\.0% \(1\/1\)\s+n\/a/);
    expect(text).toMatch(/identity abuse caught \(abusive or threat\)\s+n\/a/);
    expect(() => biasTable([{ label: 'neutral' }], [])).toThrow();
  });
});

describe('the equal-rates baseline for the worst group', () => {
  const twentyGroups = (flaggedPerGroup: (group: number) => number) =>
    Array.from({ length: 20 }, (_, group) => ({ benign: 40, benignFlagged: flaggedPerGroup(group) }));

  it('shows that at 40 lines a group even unbiased flagging rarely keeps every group within twice the average', () => {
    // 15 flagged lines over 800: a group with 2 of them is at 2.67x the average.
    const spread = twentyGroups((group) => (group < 5 ? 2 : group < 10 ? 1 : 0));
    const baseline = equalRatesBaseline(spread, 2 / 40 / (15 / 800), 5000)!;
    expect(baseline.deals).toBe(5000);
    expect(baseline.lowest).toBeCloseTo(1 / 40 / (15 / 800));
    expect(baseline.median).toBeGreaterThan(2);
    expect(baseline.atLeastMeasured).toBeGreaterThan(0.99);
    expect(baseline.withinTarget).toBeLessThan(0.01);
  });

  it('shows how often unbiased flagging meets the target on nine times as many lines', () => {
    // 87 flagged lines over 20 groups of 360 (1.2 %): within 2x about half the time.
    const groups = Array.from({ length: 20 }, (_, group) => ({ benign: 360, benignFlagged: group < 7 ? 5 : 4 }));
    const baseline = equalRatesBaseline(groups, 2.31, 5000)!;
    expect(baseline.withinTarget).toBeGreaterThan(0.3);
    expect(baseline.withinTarget).toBeLessThan(0.7);
    expect(baseline.atLeastMeasured).toBeLessThan(baseline.withinTarget);
  });

  it('tells a group that holds every flagged line apart from chance', () => {
    const oneGroup = twentyGroups((group) => (group === 0 ? 15 : 0));
    expect(equalRatesBaseline(oneGroup, 15 / 40 / (15 / 800), 5000)!.atLeastMeasured).toBe(0);
  });

  it('is the same on every run and absent without flagged lines', () => {
    const groups = twentyGroups((group) => group % 3);
    expect(equalRatesBaseline(groups, 3, 500)).toEqual(equalRatesBaseline(groups, 3, 500));
    expect(
      equalRatesBaseline(
        twentyGroups(() => 0),
        1,
      ),
    ).toBeNull();
  });
});

describe('wilsonInterval', () => {
  it('gives the 95 % score interval of a share', () => {
    const [low, high] = wilsonInterval(68, 87);
    expect(low).toBeCloseTo(0.6839, 3);
    expect(high).toBeCloseTo(0.8555, 3);
  });

  it('stays inside [0, 1] at the edges and spans it without data', () => {
    expect(wilsonInterval(0, 67)[0]).toBe(0);
    expect(wilsonInterval(0, 67)[1]).toBeCloseTo(0.0542, 3);
    expect(wilsonInterval(5, 5)[1]).toBe(1);
    expect(wilsonInterval(0, 0)).toEqual([0, 1]);
  });
});
