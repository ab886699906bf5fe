import type { Policy } from '../src/ladder/policy.js';
import type { Utterance } from '../src/ladder/state.js';
import { threatScoreOf } from '../src/protocol/verdict.js';
import { scoreCall, type CallScore } from './call-eval-score.js';
import type { EvalCall } from './call-eval-set.js';
import { replay } from './call-replay.js';

/** Sorted distinct values. */
const distinct = (values: readonly number[]): number[] => [...new Set(values)].sort((a, b) => a - b);

/** How many of the sorted `values` lie below `threshold`: every `value >= threshold` the ladder makes follows from it. */
function below(values: readonly number[], threshold: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (values[mid]! < threshold) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The score thresholds the search tunes; the ladder's counts (venting turns before acknowledging, …) are rules. */
export type TunedThresholds = Pick<
  Policy['thresholds'],
  | 'threatMinScore'
  | 'menaceMinScore'
  | 'abusiveMinScore'
  | 'abusiveRepeatMinScore'
  | 'ventingMinScore'
  | 'agentHeatMinScore'
>;

/**
 * One call's verdicts scored under a policy with many sets of tuned thresholds, for the threshold
 * search. The ladder uses the tuned thresholds only in `score >= threshold` comparisons
 * (src/ladder/ladder.ts): threat and
 * menace against each customer line's threat score, the two abuse thresholds against its abusive
 * score, the venting point against a neutral line's venting score, agent heat against an agent line's score for
 * its heated label. Two sets that fall between the same scores of the call make every comparison
 * alike, so the call replays alike: each such pattern is replayed once. Over `npm run
 * choose:thresholds`' grid (1,837,440 sets) the 441 dev calls replay 2,732 times instead of 810
 * million.
 */
export class ThresholdReplay {
  private readonly threat: number[];
  private readonly abusive: number[];
  private readonly venting: number[];
  private readonly heat: number[];
  private readonly base: number;
  private readonly scored = new Map<number, CallScore>();

  constructor(
    private readonly call: EvalCall,
    private readonly utterances: readonly Utterance[],
    private readonly policy: Policy,
  ) {
    const customer = utterances.filter((u) => u.speaker === 'customer').map((u) => u.verdict);
    const agent = utterances.filter((u) => u.speaker === 'agent').map((u) => u.verdict);
    this.threat = distinct(customer.map(threatScoreOf));
    this.abusive = distinct(customer.map((v) => v.scores.abusive));
    // Only a line labelled neutral is read against the venting point.
    this.venting = distinct(customer.filter((v) => v.label === 'neutral').map((v) => v.scores.venting));
    this.heat = distinct(agent.map((v) => v.scores[v.label]));
    this.base = Math.max(this.threat.length, this.abusive.length, this.venting.length, this.heat.length) + 1;
  }

  scoreAt(thresholds: TunedThresholds): CallScore {
    const { base } = this;
    const key =
      ((((below(this.threat, thresholds.threatMinScore) * base + below(this.threat, thresholds.menaceMinScore)) * base +
        below(this.abusive, thresholds.abusiveMinScore)) *
        base +
        below(this.abusive, thresholds.abusiveRepeatMinScore)) *
        base +
        below(this.venting, thresholds.ventingMinScore)) *
        base +
      below(this.heat, thresholds.agentHeatMinScore);
    let score = this.scored.get(key);
    if (score === undefined) {
      const policy = { ...this.policy, thresholds: { ...this.policy.thresholds, ...thresholds } };
      score = scoreCall(this.call, replay(this.utterances, policy));
      this.scored.set(key, score);
    }
    return score;
  }
}
