import { existsSync } from 'node:fs';
import { MAX_CONTEXT_TURNS } from '../../src/classifier/classifier.js';
import { acceptableLabels, loadEvalCalls, type EvalCall } from '../call-eval-set.js';
import type { Example, LabelShares, SourceSplits } from './types.js';

/**
 * The usual reading's share of a line written with two or more fair readings: the rest is shared by
 * the others, so such a line trains towards the middle of the scores, as the snippets' soft targets do.
 */
const USUAL_READING_SHARE = 0.55;

function sharesOf(labels: readonly Example['label'][]): LabelShares | undefined {
  const [usual, ...others] = labels;
  if (!usual || others.length === 0) return undefined;
  return Object.fromEntries([
    [usual, USUAL_READING_SHARE],
    ...others.map((label) => [label, (1 - USUAL_READING_SHARE) / others.length]),
  ]) as LabelShares;
}

/**
 * Every turn of a scripted call as an example read with the turns before it (at most the
 * MAX_CONTEXT_TURNS the service reads), labelled as written. The call's id is the `pair` of all
 * its turns, so a whole call falls on one side of the dev split.
 */
export function callExamples(call: EvalCall, source: string): Example[] {
  return call.turns.map((turn, i) => {
    const context = call.turns
      .slice(Math.max(0, i - MAX_CONTEXT_TURNS), i)
      .map(({ speaker, text }) => ({ speaker, text }));
    const labels = acceptableLabels(turn);
    const target = sharesOf(labels);
    return {
      text: turn.text,
      label: labels[0]!,
      ...(target ? { target } : {}),
      source,
      ...(turn.speaker === 'agent' ? { speaker: 'agent' as const } : {}),
      ...(context.length > 0 ? { context } : {}),
      ...(turn.speaker === 'agent' && turn.act !== undefined ? { act: turn.act } : {}),
      pair: call.id,
    };
  });
}

/** Whole calls written for training (training/corpus-calls/README.md); a folder that does not exist holds none. */
export function load(dir: string, source: string): SourceSplits {
  const calls = existsSync(dir) ? loadEvalCalls(dir) : [];
  return { train: calls.flatMap((call) => callExamples(call, source)), test: [] };
}
