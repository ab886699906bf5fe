/**
 * The ladder fed each line's written label instead of the model's verdict: how many calls the
 * ladder and its policy get right with a classifier that is never wrong. Set beside
 * `npm run eval:calls`, it tells the ladder's mistakes from the classifier's. No model is read, so
 * running it on the blind eval calls chooses nothing.
 *   npx tsx training/call-oracle.ts [--calls DIR]
 */
import { parseCommandLine } from '../src/cli/command-line.js';
import { BUILT_IN_POLICY, DEFAULT_POLICY } from '../src/ladder/policy.js';
import { formatCallReport } from './call-eval-report.js';
import { scoreCall, summarise, type ObservedCall } from './call-eval-score.js';
import { DEV_CALLS_DIR, EVAL_CALLS_DIR, loadEvalCalls } from './call-eval-set.js';
import { readCall, replay, writtenVerdict } from './call-replay.js';

const PROGRAM = 'training/call-oracle.ts';
const USAGE = `usage: npx tsx ${PROGRAM} [--calls DIR]

Replays the ladder (the default policy) over each call's written labels and agent acts, and prints
the call-level report of npm run eval:calls. A line written as either a threat or something else
is given a threat score in the middle of the ask-meaning band, as the ladder means such lines to be read.

  --calls DIR     the calls (default ${EVAL_CALLS_DIR}; the dev calls are in ${DEV_CALLS_DIR})`;

const { values } = parseCommandLine(PROGRAM, USAGE, { calls: { type: 'string', default: EVAL_CALLS_DIR } });

const calls = loadEvalCalls(values.calls);
const observed: ObservedCall[] = [];
for (const call of calls) {
  const utterances = await readCall(call, async (_, turn) => writtenVerdict(call.turns[turn]!, DEFAULT_POLICY));
  observed.push(replay(utterances, DEFAULT_POLICY));
}
const scores = calls.map((call, i) => scoreCall(call, observed[i]!));
process.stdout.write(
  formatCallReport(summarise(calls, observed, scores), {
    model: 'none: the written labels',
    policy: BUILT_IN_POLICY,
    undeclaredCues: [],
  }) + '\n',
);
