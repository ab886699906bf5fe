import { describe, expect, it } from 'vitest';
import { LABELS, type Label } from '../../src/classifier/verdict.js';
import { evaluateLabels, groupF1, productMetrics } from '../../training/metrics.js';
import { formatEvaluation, formatProductTargets, renderTable } from '../../training/metrics-report.js';

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
    expect(metrics.ventingFlagged).toBe(0.5);
    expect(metrics.threatRecall).toBe(0.5);
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
