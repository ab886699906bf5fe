import type { StreamStep } from '../stream/stream-step.js';
import type { HttpComparison, StreamResults } from './bench-report.js';

/** The issue's targets for a 2-core machine. */
const TARGETS = {
  utterancesPerSec: 2000,
  batchingSpeedup: 3,
  /** "Comparable p99": the batched run's p99 at most this many times the unbatched run's. */
  comparableP99Ratio: 1.5,
  finalToCueP99Ms: 25,
  concurrentCalls: 1000,
  /** The incident record's cost: final → cue p99 with it on at most this many times the p99 with it off. */
  recordP99Ratio: 1.1,
};

export interface TargetResult {
  target: string;
  measured: string;
  /** null: not measured in this run. */
  met: boolean | null;
  /** How far above or below the target. */
  margin: string;
}

const signed = (value: number, digits = 0): string => `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(digits)}`;
const percent = (ratio: number): string => `${signed(ratio * 100)} %`;

export function evaluateTargets(http: HttpComparison | null, stream: StreamResults | null): TargetResult[] {
  const redis = stream?.redis;
  return [
    throughput(http),
    speedup(http),
    callsAtBudget('', stream?.steps),
    recordCost(stream),
    callsAtBudget(`Redis mode${redis ? `, ${redis.instances} instances` : ''}: `, redis?.steps),
  ];
}

function throughput(http: HttpComparison | null): TargetResult {
  const target = `classify ≥ ${TARGETS.utterancesPerSec.toLocaleString('en')} utterances/s with batching`;
  if (!http) return { target, measured: 'not run', met: null, margin: '' };
  const measured = http.batched.utterancesPerSec;
  return {
    target,
    measured: `${measured.toFixed(0)} utterances/s`,
    met: measured >= TARGETS.utterancesPerSec,
    margin: `${percent(measured / TARGETS.utterancesPerSec - 1)} (${signed(measured - TARGETS.utterancesPerSec)} utterances/s)`,
  };
}

function speedup(http: HttpComparison | null): TargetResult {
  const target = `batching ≥ ${TARGETS.batchingSpeedup}× unbatched throughput, batched p99 ≤ ${TARGETS.comparableP99Ratio}× unbatched`;
  if (!http) return { target, measured: 'not run', met: null, margin: '' };
  const ratio = http.throughputRatio;
  return {
    target,
    measured: `${ratio.toFixed(2)}× (p99 ${http.batched.latencyMs.p99} ms batched vs ${http.unbatched.latencyMs.p99} ms unbatched)`,
    met: ratio >= TARGETS.batchingSpeedup && http.p99Ratio <= TARGETS.comparableP99Ratio,
    margin: `${percent(ratio / TARGETS.batchingSpeedup - 1)} on the speed-up; batched p99 is ${http.p99Ratio.toFixed(2)}× unbatched`,
  };
}

function callsAtBudget(mode: string, steps: readonly StreamStep[] | undefined): TargetResult {
  const target = `${mode}final segment → cue p99 ≤ ${TARGETS.finalToCueP99Ms} ms at ${TARGETS.concurrentCalls.toLocaleString('en')} concurrent calls, no lost cues`;
  const step = steps?.find((s) => s.concurrentCalls === TARGETS.concurrentCalls);
  if (!step?.finalToCueMs) return { target, measured: step ? 'no cue measured' : 'not run', met: null, margin: '' };
  const { p99 } = step.finalToCueMs;
  const lost = step.lostCues + step.unclassifiedFinals;
  return {
    target,
    measured: `p99 ${p99.toFixed(1)} ms, ${lost} lost`,
    met: p99 <= TARGETS.finalToCueP99Ms && lost === 0,
    margin: `${p99 <= TARGETS.finalToCueP99Ms ? `${(TARGETS.finalToCueP99Ms - p99).toFixed(1)} ms under` : `${(p99 - TARGETS.finalToCueP99Ms).toFixed(1)} ms over (${percent(p99 / TARGETS.finalToCueP99Ms - 1)})`}`,
  };
}

function recordCost(stream: StreamResults | null): TargetResult {
  const target = `final → cue p99 with the incident record on within ${percent(TARGETS.recordP99Ratio - 1)} of the same step with it off`;
  const on = stream?.steps.at(-1)?.finalToCueMs;
  const off = stream?.recordOff?.finalToCueMs;
  if (!on || !off) return { target, measured: 'not run', met: null, margin: '' };
  const ratio = on.p99 / off.p99;
  return {
    target,
    measured: `${stream!.steps.at(-1)!.concurrentCalls} calls: p99 ${on.p99.toFixed(1)} ms on, ${off.p99.toFixed(1)} ms off`,
    met: ratio <= TARGETS.recordP99Ratio,
    margin: `on/off ${ratio.toFixed(2)}× (${percent(ratio - 1)})`,
  };
}
