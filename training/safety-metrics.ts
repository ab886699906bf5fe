import type { OperatingPoints } from '../src/classifier/calibration.js';
import type { Label, Scores } from '../src/protocol/verdict.js';
import { share } from './metrics.js';
import { renderTable, type TableStyle } from './metrics-report.js';

/** How the calibrated threat score behaves at the operating points chosen on dev, on customer lines. */
export interface SafetyMetrics {
  threatLines: number;
  otherLines: number;
  /** Threat lines whose threat score reaches threatAlert (an alert at once). */
  recallAtAlert: number | null;
  /** Threat lines whose threat score reaches askMeaning (an alert or an ask-meaning notice). */
  recallAtAskMeaning: number | null;
  /** Non-threat lines that would raise the safety alert. */
  falseAlertRate: number | null;
  /** Non-threat lines in the ask-meaning band. */
  askMeaningRate: number | null;
}

export function safetyMetrics(
  truth: readonly Label[],
  scores: readonly Scores[],
  points: OperatingPoints,
): SafetyMetrics {
  const threat = scores.filter((_, i) => truth[i] === 'threat').map((s) => s.threat);
  const other = scores.filter((_, i) => truth[i] !== 'threat').map((s) => s.threat);
  const atLeast = (values: number[], point: number) => values.filter((value) => value >= point).length;
  return {
    threatLines: threat.length,
    otherLines: other.length,
    recallAtAlert: share(atLeast(threat, points.threatAlert), threat.length),
    recallAtAskMeaning: share(atLeast(threat, points.askMeaning), threat.length),
    falseAlertRate: share(atLeast(other, points.threatAlert), other.length),
    askMeaningRate: share(atLeast(other, points.askMeaning) - atLeast(other, points.threatAlert), other.length),
  };
}

export function formatSafety(metrics: SafetyMetrics, points: OperatingPoints, style: TableStyle): string {
  const percent = (value: number | null) => (value === null ? 'n/a' : `${(value * 100).toFixed(1)}%`);
  const rows = [
    [
      `threat lines alerted (score ≥ ${points.threatAlert})`,
      percent(metrics.recallAtAlert),
      String(metrics.threatLines),
    ],
    [
      `threat lines alerted or asked (score ≥ ${points.askMeaning})`,
      percent(metrics.recallAtAskMeaning),
      String(metrics.threatLines),
    ],
    ['other lines alerted', percent(metrics.falseAlertRate), String(metrics.otherLines)],
    ['other lines in the ask-meaning band', percent(metrics.askMeaningRate), String(metrics.otherLines)],
  ];
  return [
    'Safety operating points (customer lines)',
    '',
    renderTable(['measure', 'rate', 'of lines'], rows, style),
  ].join('\n');
}
