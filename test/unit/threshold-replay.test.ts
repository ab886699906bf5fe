import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/ladder/policy.js';
import { AGENT_ACTS, LABELS } from '../../src/protocol/labels.js';
import type { Verdict } from '../../src/protocol/verdict.js';
import { scoreCall } from '../../training/call-eval-score.js';
import { loadEvalCalls } from '../../training/call-eval-set.js';
import { readCall, replay } from '../../training/call-replay.js';
import { ThresholdReplay, type TunedThresholds } from '../../training/threshold-replay.js';

/** A small seeded generator (mulberry32), so that a failure can be replayed. */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = seeded(11);
/** Scores on a coarse scale, so that thresholds often land exactly on a line's score. */
const coarse = (): number => Math.round(random() * 20) / 20;

function randomVerdict(speaker: string): Verdict {
  const raw = LABELS.map(() => random() ** 2);
  const total = raw.reduce((a, b) => a + b, 0);
  const scores = Object.fromEntries(LABELS.map((label, i) => [label, Math.round((raw[i]! / total) * 20) / 20]));
  const label = LABELS[raw.indexOf(Math.max(...raw))]!;
  const verdict: Verdict = { label, scores: scores as Verdict['scores'], spans: [] };
  if (speaker === 'agent') {
    const act = AGENT_ACTS[Math.floor(random() * AGENT_ACTS.length)]!;
    verdict.act = act;
    verdict.actScores = Object.fromEntries(
      AGENT_ACTS.map((a) => [a, a === act ? coarse() : 0]),
    ) as Verdict['actScores'];
  } else if (random() < 0.5) verdict.threatAlone = coarse();
  return verdict;
}

const randomThresholds = (): TunedThresholds => {
  const [menace, threat] = [coarse(), coarse()].sort((a, b) => a - b) as [number, number];
  const [repeat, abusive] = [coarse(), coarse()].sort((a, b) => a - b) as [number, number];
  return {
    threatMinScore: threat,
    menaceMinScore: menace,
    abusiveMinScore: abusive,
    abusiveRepeatMinScore: repeat,
    ventingMinScore: coarse(),
    agentHeatMinScore: coarse(),
  };
};

describe('ThresholdReplay', () => {
  const calls = loadEvalCalls(join('training', 'dev-calls', 'calls')).slice(0, 40);

  it('scores a call under any thresholds as a fresh replay does', async () => {
    for (const call of calls) {
      const utterances = await readCall(call, async (chunk) => randomVerdict(chunk.speaker));
      const memo = new ThresholdReplay(call, utterances, DEFAULT_POLICY);
      for (let i = 0; i < 300; i++) {
        const thresholds = randomThresholds();
        const policy = { ...DEFAULT_POLICY, thresholds: { ...DEFAULT_POLICY.thresholds, ...thresholds } };
        expect(memo.scoreAt(thresholds)).toEqual(scoreCall(call, replay(utterances, policy)));
      }
    }
  });

  it('replays once for thresholds that fall between the same scores', async () => {
    const shifted = (t: TunedThresholds, by: number): TunedThresholds =>
      Object.fromEntries(Object.entries(t).map(([key, value]) => [key, value + by])) as TunedThresholds;
    for (const call of calls) {
      const utterances = await readCall(call, async (chunk) => randomVerdict(chunk.speaker));
      const memo = new ThresholdReplay(call, utterances, DEFAULT_POLICY);
      // Every score is a multiple of 0.05: nothing lies between t + 0.01 and t + 0.04.
      const t = randomThresholds();
      expect(memo.scoreAt(shifted(t, 0.04))).toBe(memo.scoreAt(shifted(t, 0.01)));
    }
  });
});
