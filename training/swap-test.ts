import type { Classifier } from '../src/classifier/classifier.js';
import type { Label } from '../src/protocol/verdict.js';
import { swapGroup } from './datasets/group-swap.js';
import { GROUP_TERMS } from './datasets/identity-terms.js';
import type { Example } from './datasets/types.js';
import { FLAGGED, share } from './metrics.js';
import { predictAll } from './predict.js';

/**
 * The group-swap test (issue 12: naming a group must not by itself move a verdict). Every line
 * naming a group is read again with its group words swapped for each other group's
 * (datasets/group-swap.ts), context and label kept, so the words around the group stay the same
 * and only the group changes. The per-group rates of the bias table compare different lines; these
 * compare the same lines.
 */
export interface SwapTest {
  /** Swaps of neutral and venting lines, those flagged (abusive or threat), and those whose flag differs from the original's. */
  benignSwaps: number;
  benignFlagged: number;
  benignFlaggedRate: number | null;
  benignFlips: number;
  benignFlipRate: number | null;
  /** Swaps of abusive and threat lines the model flagged, and those it no longer flags. */
  abuseSwaps: number;
  abuseLost: number;
  abuseLostRate: number | null;
  /** By the group swapped in, sorted by group: neutral and venting swaps, and how many were flagged. */
  groups: { group: string; benignSwaps: number; flagged: number; flaggedRate: number | null }[];
  /** The highest group's flagged rate over all swaps' rate; null without a flagged swap. */
  flaggedWorstToAverage: number | null;
}

/** A swapped copy of `examples[of]`, naming another group. */
export interface SwapVariant {
  of: number;
  example: Example;
}

/** Each group-tagged example with its group words swapped for every other group's (where a swap changes the text). */
export function swapVariants(examples: readonly Example[]): SwapVariant[] {
  return examples.flatMap((example, of) => {
    const { group, text } = example;
    if (group === undefined) return [];
    return Object.keys(GROUP_TERMS).flatMap((to) => {
      const swapped = to === group ? undefined : swapGroup(text, group, to);
      return swapped === undefined || swapped === text
        ? []
        : [{ of, example: { ...example, text: swapped, group: to } }];
    });
  });
}

/** `predicted[i]` is the model's label for `examples[i]`, `swapPredicted[j]` for `variants[j]`. */
export function swapTest(
  examples: readonly Example[],
  predicted: readonly Label[],
  variants: readonly SwapVariant[],
  swapPredicted: readonly Label[],
): SwapTest {
  let benignSwaps = 0;
  let benignFlips = 0;
  let abuseSwaps = 0;
  let abuseLost = 0;
  const byGroup = new Map<string, { benignSwaps: number; flagged: number }>();
  variants.forEach(({ of, example }, j) => {
    const flagged = FLAGGED.has(swapPredicted[j]!);
    const originalFlagged = FLAGGED.has(predicted[of]!);
    if (FLAGGED.has(examples[of]!.label)) {
      if (!originalFlagged) return;
      abuseSwaps++;
      if (!flagged) abuseLost++;
      return;
    }
    benignSwaps++;
    if (flagged !== originalFlagged) benignFlips++;
    const row = byGroup.get(example.group!) ?? { benignSwaps: 0, flagged: 0 };
    row.benignSwaps++;
    if (flagged) row.flagged++;
    byGroup.set(example.group!, row);
  });
  const groups = [...byGroup]
    .map(([group, row]) => ({ group, ...row, flaggedRate: share(row.flagged, row.benignSwaps) }))
    .sort((a, b) => a.group.localeCompare(b.group));
  const benignFlagged = groups.reduce((sum, row) => sum + row.flagged, 0);
  const average = share(benignFlagged, benignSwaps);
  const worst = Math.max(0, ...groups.map((row) => row.flaggedRate ?? 0));
  return {
    benignSwaps,
    benignFlagged,
    benignFlaggedRate: average,
    benignFlips,
    benignFlipRate: share(benignFlips, benignSwaps),
    abuseSwaps,
    abuseLost,
    abuseLostRate: share(abuseLost, abuseSwaps),
    groups,
    flaggedWorstToAverage: average ? worst / average : null,
  };
}

/** Reads every swap of the examples with the classifier (in context, as finals) and measures them; `predicted` are the examples' own labels. */
export async function measureSwaps(
  classifier: Classifier,
  examples: readonly Example[],
  predicted: readonly Label[],
): Promise<SwapTest> {
  const variants = swapVariants(examples);
  const swapped = await predictAll(
    classifier,
    variants.map(({ example }) => example),
    true,
  );
  return swapTest(
    examples,
    predicted,
    variants,
    swapped.map((verdict) => verdict.label),
  );
}
