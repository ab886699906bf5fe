import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/ladder/policy.js';
import { scoreCall } from '../../training/call-eval-score.js';
import { loadEvalCalls, type EvalTurn } from '../../training/call-eval-set.js';
import { readCall, replay, writtenVerdict } from '../../training/call-replay.js';

const { menaceMinScore, threatMinScore } = DEFAULT_POLICY.thresholds;

describe('writtenVerdict', () => {
  it('gives the written label all the score', () => {
    const verdict = writtenVerdict({ speaker: 'customer', text: 'i will hurt you', label: 'threat' }, DEFAULT_POLICY);
    expect(verdict).toEqual({ label: 'threat', scores: { neutral: 0, venting: 0, abusive: 0, threat: 1 }, spans: [] });
  });

  it('puts a line written as a threat or venting inside the ask-meaning band', () => {
    const turn: EvalTurn = { speaker: 'customer', text: 'you will regret this', label: ['threat', 'venting'] };
    const { label, scores } = writtenVerdict(turn, DEFAULT_POLICY);
    expect(label).toBe('threat');
    expect(scores.threat).toBeGreaterThanOrEqual(menaceMinScore);
    expect(scores.threat).toBeLessThan(threatMinScore);
    expect(scores.venting).toBeCloseTo(1 - scores.threat);
  });

  it('gives an agent line its written act', () => {
    const turn: EvalTurn = { speaker: 'agent', text: 'please stop swearing', label: 'neutral', act: 'set-limit' };
    const verdict = writtenVerdict(turn, DEFAULT_POLICY);
    expect(verdict.act).toBe('set-limit');
    expect(verdict.actScores?.['set-limit']).toBe(1);
    expect(verdict.actScores?.warn).toBe(0);
  });
});

describe('the ladder replayed over a dev call read as written', () => {
  it('asks what an ambiguous line means and raises no alert when the caller clears it up', async () => {
    const [call] = loadEvalCalls(join('training', 'dev-calls', 'calls')).filter(
      ({ id }) => id === 'threat-ambiguous-cleared-01-regret-reviews',
    );
    const utterances = await readCall(call!, async (_, turn) => writtenVerdict(call!.turns[turn]!, DEFAULT_POLICY));
    expect(utterances.map(({ text }) => text)).toEqual(call!.turns.map(({ text }) => text));
    const observed = replay(utterances, DEFAULT_POLICY);
    expect(observed.cues.map(({ type }) => type)).toContain('ask-meaning');
    expect(observed.cues.map(({ type }) => type)).not.toContain('safety-alert');
    expect(scoreCall(call!, observed).right).toBe(true);
  });
});
