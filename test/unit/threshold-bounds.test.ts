import { describe, expect, it } from 'vitest';
import { callsOverBounds } from '../../training/threshold-bounds.js';

describe('callsOverBounds', () => {
  const counts = { missed: 13, falseAlerts: 8, wrongLine: 4 };

  it('is 0 for a set inside every bound, and without bounds', () => {
    expect(
      callsOverBounds(counts, [
        { count: 'missed', max: 13 },
        { count: 'falseAlerts', max: 9 },
      ]),
    ).toBe(0);
    expect(callsOverBounds(counts, [])).toBe(0);
  });

  it('sums the calls over each bound and ignores the room left under the others', () => {
    const bounds = [
      { count: 'missed', max: 12 },
      { count: 'falseAlerts', max: 9 },
      { count: 'wrongLine', max: 2 },
    ] as const;
    expect(callsOverBounds(counts, bounds)).toBe(1 + 2);
  });
});
