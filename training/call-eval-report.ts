import { CALL_TARGETS, type EvalSummary } from './call-eval-score.js';
import { wilsonInterval } from './metrics.js';
import { formatEvaluation, renderTable } from './metrics-report.js';

const percent = (value: number): string => `${(value * 100).toFixed(1)}%`;
const share = (count: number, of: number): string => `${count} / ${of} (${percent(of === 0 ? 0 : count / of)})`;
const met = (ok: boolean): string => (ok ? 'yes' : 'no');
/** The 95 % interval of `count` of `of`, scaled (100: per 100). */
function interval(count: number, of: number, scale: number, digits: number): string {
  const [low, high] = wilsonInterval(count, of);
  return `${(low * scale).toFixed(digits)}–${(high * scale).toFixed(digits)}`;
}

export interface ReportHeader {
  model: string;
  /** The ladder policy the calls ran with. */
  policy: string;
  /** Expected cue types the service does not declare (it can never raise them). */
  undeclaredCues: readonly string[];
}

/** The call-level evaluation as markdown: targets, categories, line labels, and the calls that went wrong. */
export function formatCallReport(summary: EvalSummary, header: ReportHeader): string {
  const rightShare = summary.calls === 0 ? 0 : summary.right / summary.calls;
  const targets = renderTable(
    ['metric', 'value', '95 % interval', 'target', 'met'],
    [
      [
        'calls right',
        share(summary.right, summary.calls),
        `${interval(summary.right, summary.calls, 100, 1)} %`,
        `≥ ${percent(CALL_TARGETS.rightShare)}`,
        met(rightShare >= CALL_TARGETS.rightShare),
      ],
      [
        'false safety alerts per 100 non-threat calls',
        `${summary.falseAlertsPer100.toFixed(1)} (${summary.falseAlerts} of ${summary.nonThreatCalls})`,
        interval(summary.falseAlerts, summary.nonThreatCalls, 100, 1),
        `≤ ${CALL_TARGETS.falseAlertsPer100}`,
        met(summary.falseAlertsPer100 <= CALL_TARGETS.falseAlertsPer100),
      ],
      [
        'threat calls missed',
        `${summary.threatsMissed} of ${summary.threatCalls}`,
        '',
        `${CALL_TARGETS.threatsMissed}`,
        met(summary.threatsMissed <= CALL_TARGETS.threatsMissed),
      ],
      [
        'alerts on the wrong line',
        `${summary.wrongLineAlerts} of ${summary.threatCalls}`,
        '',
        `${CALL_TARGETS.wrongLineAlerts}`,
        met(summary.wrongLineAlerts <= CALL_TARGETS.wrongLineAlerts),
      ],
      ['customer line accuracy', percent(summary.customerLines.accuracy), '', '', ''],
    ],
    'markdown',
  );
  const categories = renderTable(
    ['category', 'calls', 'right', 'false alerts', 'threats missed', 'wrong line'],
    summary.categories.map((row) => [
      row.category,
      String(row.calls),
      String(row.right),
      String(row.falseAlerts),
      String(row.threatsMissed),
      String(row.wrongLine),
    ]),
    'markdown',
  );
  const wrong =
    summary.wrong.length === 0
      ? 'None.'
      : renderTable(
          ['call', 'category', 'why'],
          summary.wrong.map((call) => [call.id, call.category, call.reasons.join('; ')]),
          'markdown',
        );
  const unanswered = (n: number): string => (n > 0 ? `\n\n${n} lines came back without a label and are left out.` : '');
  return [
    `## Call-level evaluation (${summary.calls} scripted calls, model \`${header.model}\`, policy \`${header.policy}\`)`,
    ...(header.undeclaredCues.length > 0
      ? ['', `Expected cue types this service does not declare: ${header.undeclaredCues.join(', ')}.`]
      : []),
    '',
    targets,
    '',
    'The intervals (Wilson, 95 %) say how far the true share could be from the one measured on this many calls.',
    '',
    '### By category',
    '',
    categories,
    '',
    formatEvaluation('Customer lines', summary.customerLines, 'markdown') +
      unanswered(summary.customerLines.unanswered),
    '',
    formatEvaluation('Agent lines', summary.agentLines, 'markdown') + unanswered(summary.agentLines.unanswered),
    '',
    summary.agentActs
      ? formatEvaluation('Agent acts', summary.agentActs, 'markdown') + unanswered(summary.agentActs.unanswered)
      : '### Agent acts\n\nThe service reported no agent act on its transcript events.',
    '',
    '### Calls not right',
    '',
    wrong,
    '',
  ].join('\n');
}
