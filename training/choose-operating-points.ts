/**
 * Chooses the ladder's score thresholds at call level, on the dev calls (training/dev-calls/), never
 * on the blind eval calls: reads every final of every dev call once with the model, in its context as
 * the service would, then replays the pure ladder over those verdicts for each candidate set of
 * thresholds and scores the calls as `npm run eval:calls` does.
 *   npm run choose:thresholds -- --help
 */
import { writeFileSync } from 'node:fs';
import { loadClassifier } from '../src/classifier/index.js';
import { failure, parseCommandLine, usageError } from '../src/cli/command-line.js';
import { DEFAULT_POLICY } from '../src/ladder/policy.js';
import type { Utterance } from '../src/ladder/state.js';
import { reasons, type CallScore } from './call-eval-score.js';
import { DEV_CALLS_DIR, loadEvalCalls } from './call-eval-set.js';
import { readCall } from './call-replay.js';
import { callsOverBounds } from './threshold-bounds.js';
import { ThresholdReplay, type TunedThresholds } from './threshold-replay.js';

const PROGRAM = 'npm run choose:thresholds';
const USAGE = `usage: npm run choose:thresholds -- [--model DIR] [--calls DIR] [--max-missed N]
         [--max-false-alerts N] [--max-wrong-line N] [--write FILE]

Reads the dev calls with the model once, replays the ladder for every candidate set of thresholds,
and prints the best sets: fewest threat calls missed, then most calls right, fewest false alerts,
fewest alerts on the wrong line. Ties go to the set closest to the current policy.

  --model DIR       model folder (default models/use-lite-abuse)
  --calls DIR       the dev calls (default training/dev-calls/calls); never the blind eval calls
  --max-missed N    bound safety instead of ranking it first: only sets that miss at most N threat
                    calls compete, and the most calls right wins among them
  --max-false-alerts N, --max-wrong-line N
                    only sets with at most N false safety alerts (non-threat calls alerted), or
                    at most N threat calls alerted on another line, compete; when no set keeps
                    within the bounds given, it prints the sets nearest them (fewest calls over
                    the bounds, then ranked as above) and exits with status 1
  --write FILE      write the default policy with the chosen thresholds to FILE`;

const { values } = parseCommandLine(PROGRAM, USAGE, {
  model: { type: 'string', default: 'models/use-lite-abuse' },
  calls: { type: 'string', default: DEV_CALLS_DIR },
  'max-missed': { type: 'string' },
  'max-false-alerts': { type: 'string' },
  'max-wrong-line': { type: 'string' },
  write: { type: 'string' },
});

/** The safety counts a set of thresholds can be bounded on, by option. */
const BOUNDED_COUNTS = {
  'max-missed': 'missed',
  'max-false-alerts': 'falseAlerts',
  'max-wrong-line': 'wrongLine',
} as const;
type BoundOption = keyof typeof BOUNDED_COUNTS;

const bounds = (Object.keys(BOUNDED_COUNTS) as BoundOption[]).flatMap((option) => {
  const text = values[option];
  if (text === undefined) return [];
  const max = Number(text);
  if (!(Number.isInteger(max) && max >= 0))
    usageError(PROGRAM, `--${option} must be a whole number of calls, not ${JSON.stringify(text)}`);
  return [{ option, count: BOUNDED_COUNTS[option], max }];
});
const missedBounded = bounds.some(({ option }) => option === 'max-missed');

const range = (from: number, to: number, step: number): number[] =>
  Array.from({ length: Math.round((to - from) / step) + 1 }, (_, i) => Math.round((from + i * step) * 100) / 100);

const GRID: { [K in keyof TunedThresholds]: number[] } = {
  threatMinScore: range(0.6, 0.98, 0.02),
  menaceMinScore: range(0.15, 0.7, 0.05),
  abusiveMinScore: range(0.3, 0.8, 0.05),
  abusiveRepeatMinScore: range(0.3, 0.8, 0.05),
  // 1 reads no neutral line as venting: the ladder before the point was added.
  ventingMinScore: [...range(0.1, 0.5, 0.05), 1],
  agentHeatMinScore: range(0.4, 0.95, 0.05),
};

/** A set's counts only: the grid has 1,837,440 sets, and their per-call scores would fill the heap. */
interface Outcome {
  thresholds: TunedThresholds;
  right: number;
  falseAlerts: number;
  wrongLine: number;
  missed: number;
  distance: number;
}

function outcomeOf(thresholds: TunedThresholds, scores: readonly CallScore[]): Outcome {
  const count = (alert: CallScore['alert']): number => scores.filter((score) => score.alert === alert).length;
  const current = DEFAULT_POLICY.thresholds;
  const distance = (Object.keys(thresholds) as (keyof TunedThresholds)[]).reduce(
    (sum, key) => sum + Math.abs(thresholds[key] - current[key]),
    0,
  );
  return {
    thresholds,
    right: scores.filter((score) => score.right).length,
    falseAlerts: count('false-alert'),
    wrongLine: count('wrong-line'),
    missed: count('missed'),
    distance,
  };
}

/**
 * Safety first: the fewest threat calls without an alert, then the most calls right. With
 * --max-missed the bound replaces the first key: ranked first, a single dev call caught can pull
 * both alert points far down at the cost of many calls right (round 10, model card).
 */
const better = (a: Outcome, b: Outcome): number =>
  (missedBounded ? 0 : a.missed - b.missed) ||
  b.right - a.right ||
  a.falseAlerts - b.falseAlerts ||
  a.wrongLine - b.wrongLine ||
  a.distance - b.distance;

function* candidates(): Generator<TunedThresholds> {
  for (const threatMinScore of GRID.threatMinScore)
    for (const menaceMinScore of GRID.menaceMinScore.filter((menace) => menace <= threatMinScore))
      for (const abusiveMinScore of GRID.abusiveMinScore)
        for (const abusiveRepeatMinScore of GRID.abusiveRepeatMinScore.filter((repeat) => repeat <= abusiveMinScore))
          for (const ventingMinScore of GRID.ventingMinScore)
            for (const agentHeatMinScore of GRID.agentHeatMinScore)
              yield {
                threatMinScore,
                menaceMinScore,
                abusiveMinScore,
                abusiveRepeatMinScore,
                ventingMinScore,
                agentHeatMinScore,
              };
}

const calls = loadEvalCalls(values.calls);
const classifier = await loadClassifier({ modelDir: values.model });
const read: Utterance[][] = [];
try {
  for (const call of calls)
    read.push(
      await readCall(call, (chunk, _, context) => classifier.classify(chunk.text, 'final', chunk.speaker, context)),
    );
} finally {
  await classifier.close();
}

const replays = calls.map((call, i) => new ThresholdReplay(call, read[i]!, DEFAULT_POLICY));
const scoresAt = (thresholds: TunedThresholds): CallScore[] => replays.map((call) => call.scoreAt(thresholds));
const evaluate = (thresholds: TunedThresholds): Outcome => outcomeOf(thresholds, scoresAt(thresholds));

const current = evaluate(DEFAULT_POLICY.thresholds);
const ranked: Outcome[] = [];
// Kept only while no set is inside the bounds: the sets fewest calls over them.
let nearest: Outcome[] = [];
let nearestOver = Infinity;
for (const thresholds of candidates()) {
  const outcome = evaluate(thresholds);
  const over = callsOverBounds(outcome, bounds);
  if (over === 0) ranked.push(outcome);
  else if (ranked.length === 0 && over <= nearestOver) {
    if (over < nearestOver) [nearest, nearestOver] = [[], over];
    nearest.push(outcome);
  }
}
ranked.sort(better);
const row = (o: Outcome): string =>
  `${JSON.stringify(o.thresholds)}  right ${o.right}/${calls.length}, false alerts ${o.falseAlerts}, wrong line ${o.wrongLine}, missed ${o.missed}`;
process.stdout.write(`dev calls: ${values.calls} (${calls.length}), model ${values.model}\n`);
process.stdout.write(`current policy: ${row(current)}\n`);
if (ranked.length === 0) {
  process.stdout.write(`no set inside the bounds; nearest, ${nearestOver} calls over them:\n`);
  for (const outcome of nearest.sort(better).slice(0, 10)) process.stdout.write(`  ${row(outcome)}\n`);
  const given = bounds.map(({ option, max }) => `--${option} ${max}`).join(', ');
  failure(PROGRAM, `no set of thresholds keeps within ${given} on ${values.calls}`);
}
process.stdout.write('best:\n');
for (const outcome of ranked.slice(0, 10)) process.stdout.write(`  ${row(outcome)}\n`);

process.stdout.write('calls wrong at the best set:\n');
for (const score of scoresAt(ranked[0]!.thresholds).filter((score) => !score.right))
  process.stdout.write(`  ${score.id}: ${reasons(score).join('; ')}\n`);

if (values.write) {
  const chosen = ranked[0]!.thresholds;
  const policy = { ...DEFAULT_POLICY, thresholds: { ...DEFAULT_POLICY.thresholds, ...chosen } };
  writeFileSync(values.write, JSON.stringify(policy, null, 2) + '\n');
  process.stdout.write(`wrote ${values.write}\n`);
}
