import { describe, expect, it } from 'vitest';
import { GROUP_TERMS } from '../../training/datasets/identity-terms.js';
import type { Example } from '../../training/datasets/types.js';
import { swapTest, swapVariants } from '../../training/swap-test.js';

const line = (text: string, label: Example['label'], group?: string): Example => ({
  text,
  label,
  source: 'project',
  ...(group ? { group } : {}),
});
const OTHER_GROUPS = Object.keys(GROUP_TERMS).length - 1;

describe('swapVariants', () => {
  it('reads each group line once per other group, label and context kept; untagged lines are left out', () => {
    const snippet = { ...line('my muslim neighbour is lovely', 'neutral', 'muslim'), context: [] };
    const variants = swapVariants([line('my router is broken', 'venting'), snippet]);
    expect(variants).toHaveLength(OTHER_GROUPS);
    expect(new Set(variants.map(({ example }) => example.group)).size).toBe(OTHER_GROUPS);
    for (const { of, example } of variants) {
      expect(of).toBe(1);
      expect(example.label).toBe('neutral');
      expect(example.context).toEqual([]);
      expect(example.text).not.toMatch(/\bmuslim\b/);
    }
  });
});

describe('swapTest', () => {
  it('counts harmless swaps whose flag differs, abuse swaps that lose theirs, and flag rates by the group swapped in', () => {
    const examples = [
      line('the deaf engineer was great', 'neutral', 'deaf'),
      line('you deaf people are useless', 'abusive', 'deaf'),
      line('you muslims are useless', 'abusive', 'muslim'),
    ];
    const variants = [
      { of: 0, example: { ...examples[0]!, group: 'women' } },
      { of: 0, example: { ...examples[0]!, group: 'muslim' } },
      { of: 1, example: { ...examples[1]!, group: 'women' } },
      { of: 1, example: { ...examples[1]!, group: 'muslim' } },
      // The model missed this abuse line: its swaps say nothing about losing a flag.
      { of: 2, example: { ...examples[2]!, group: 'deaf' } },
    ];
    const test = swapTest(examples, ['neutral', 'abusive', 'neutral'], variants, [
      'abusive',
      'neutral',
      'venting',
      'abusive',
      'abusive',
    ]);
    expect(test).toMatchObject({
      benignSwaps: 2,
      benignFlagged: 1,
      benignFlaggedRate: 0.5,
      benignFlips: 1,
      benignFlipRate: 0.5,
      abuseSwaps: 2,
      abuseLost: 1,
      abuseLostRate: 0.5,
      groups: [
        { group: 'muslim', benignSwaps: 1, flagged: 0, flaggedRate: 0 },
        { group: 'women', benignSwaps: 1, flagged: 1, flaggedRate: 1 },
      ],
      flaggedWorstToAverage: 2,
    });
  });

  it('has no ratio without a flagged swap', () => {
    const examples = [line('the deaf engineer was great', 'neutral', 'deaf')];
    const test = swapTest(
      examples,
      ['neutral'],
      [{ of: 0, example: { ...examples[0]!, group: 'women' } }],
      ['neutral'],
    );
    expect(test.flaggedWorstToAverage).toBeNull();
    expect(test.benignFlipRate).toBe(0);
  });
});
