import { describe, expect, it } from 'vitest';
import type { AlertOutcome } from '../../training/call-eval-score.js';
import { compareCalls, exactMcNemar } from '../../training/paired-calls.js';

describe('exactMcNemar', () => {
  it('gives the two-sided binomial tail of the calls right in one run only', () => {
    // 25 discordant calls split 15 / 10: 2 * P(X <= 10), X ~ Binomial(25, 1/2).
    expect(exactMcNemar(15, 10)).toBeCloseTo(0.4244, 4);
    expect(exactMcNemar(10, 15)).toBe(exactMcNemar(15, 10));
    expect(exactMcNemar(0, 5)).toBeCloseTo(0.0625, 10);
  });

  it('is 1 when the runs differ on no call or split them evenly', () => {
    expect(exactMcNemar(0, 0)).toBe(1);
    expect(exactMcNemar(7, 7)).toBe(1);
  });

  it('stays a probability where 2^n overflows a double', () => {
    expect(exactMcNemar(600, 600)).toBe(1);
    const lopsided = exactMcNemar(560, 640);
    expect(lopsided).toBeGreaterThan(0);
    expect(lopsided).toBeLessThan(0.05);
  });
});

describe('compareCalls', () => {
  const call = (id: string, right: boolean, alert: AlertOutcome = 'right') => ({
    id,
    right,
    alert,
  });

  it('lists the calls right in one run only and the alerts that changed, matching calls by id', () => {
    const first = [call('a', true), call('b', false, 'missed'), call('c', true), call('d', false)];
    const second = [call('d', false), call('c', false, 'false-alert'), call('b', true), call('a', true)];
    expect(compareCalls(first, second)).toEqual({
      calls: 4,
      right: [2, 2],
      rightOnlyInFirst: ['c'],
      rightOnlyInSecond: ['b'],
      alertChanges: [
        { id: 'b', first: 'missed', second: 'right' },
        { id: 'c', first: 'right', second: 'false-alert' },
      ],
      pValue: 1,
    });
  });

  it('refuses runs over different calls, naming one', () => {
    expect(() => compareCalls([call('a', true), call('b', true)], [call('a', true), call('x', true)])).toThrow(
      /not over the same calls: 2 in one run only, among them b, x/,
    );
  });

  it('refuses a run that lists a call twice', () => {
    expect(() => compareCalls([call('a', true), call('a', true)], [call('a', true), call('b', true)])).toThrow(
      /lists a call twice/,
    );
  });
});
