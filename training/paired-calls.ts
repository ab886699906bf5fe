import { Type, type Static } from '@sinclair/typebox';
import { oneOf } from '../src/protocol/one-of.js';
import { ALERT_OUTCOMES, type AlertOutcome } from './call-eval-score.js';

/** What the comparison reads of a `npm run eval:calls -- --json FILE` report; other fields are ignored. */
export const CallReportFile = Type.Object({
  model: Type.String(),
  /** Absent from reports written before eval:calls named its policy. */
  policy: Type.Optional(Type.String()),
  calls: Type.Array(Type.Object({ id: Type.String(), right: Type.Boolean(), alert: oneOf(ALERT_OUTCOMES) })),
});
export type CallReportFile = Static<typeof CallReportFile>;
type ReportedCall = CallReportFile['calls'][number];

/** Two runs over the same calls, call by call. */
export interface CallComparison {
  calls: number;
  right: [first: number, second: number];
  rightOnlyInFirst: string[];
  rightOnlyInSecond: string[];
  alertChanges: { id: string; first: AlertOutcome; second: AlertOutcome }[];
  /** The exact two-sided McNemar test on the calls right in one run only. */
  pValue: number;
}

/**
 * The exact two-sided McNemar test: with `onlyFirst` and `onlySecond` calls right in one run only,
 * the chance of a split at least this uneven if each such call were a fair coin. Summed in log space,
 * since 2^n overflows a double for n above 1,023.
 */
export function exactMcNemar(onlyFirst: number, onlySecond: number): number {
  const n = onlyFirst + onlySecond;
  const fewer = Math.min(onlyFirst, onlySecond);
  let logChoose = 0;
  let tail = 0;
  for (let i = 0; i <= fewer; i++) {
    if (i > 0) logChoose += Math.log(n - i + 1) - Math.log(i);
    tail += Math.exp(logChoose - n * Math.LN2);
  }
  return Math.min(1, 2 * tail);
}

/** Compares two runs call by call; the runs must cover the same calls, each once. */
export function compareCalls(first: readonly ReportedCall[], second: readonly ReportedCall[]): CallComparison {
  const idsOf = (calls: readonly ReportedCall[]) => new Set(calls.map((call) => call.id));
  const [firstIds, secondIds] = [idsOf(first), idsOf(second)];
  if (firstIds.size !== first.length || secondIds.size !== second.length) throw new Error('a run lists a call twice');
  const unmatched = [
    ...[...firstIds].filter((id) => !secondIds.has(id)),
    ...[...secondIds].filter((id) => !firstIds.has(id)),
  ];
  if (unmatched.length > 0)
    throw new Error(
      `the runs are not over the same calls: ${unmatched.length} in one run only, among them ${unmatched.slice(0, 3).join(', ')}`,
    );
  const secondById = new Map(second.map((call) => [call.id, call]));
  const pairs = first.map((call) => [call, secondById.get(call.id)!] as const);
  const rightOnlyInFirst = pairs.filter(([a, b]) => a.right && !b.right).map(([a]) => a.id);
  const rightOnlyInSecond = pairs.filter(([a, b]) => !a.right && b.right).map(([a]) => a.id);
  return {
    calls: first.length,
    right: [first.filter((call) => call.right).length, second.filter((call) => call.right).length],
    rightOnlyInFirst,
    rightOnlyInSecond,
    alertChanges: pairs
      .filter(([a, b]) => a.alert !== b.alert)
      .map(([a, b]) => ({ id: a.id, first: a.alert, second: b.alert })),
    pValue: exactMcNemar(rightOnlyInFirst.length, rightOnlyInSecond.length),
  };
}
