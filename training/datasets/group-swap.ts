import { GROUP_TERMS, namedGroup } from '../../src/classifier/group-terms.js';
import { swapGroup } from '../../src/classifier/group-swap.js';
import { hashString } from './random.js';
import type { Example } from './types.js';

/**
 * Counterfactual augmentation: a line tagged with a group is copied with that group's words
 * replaced by another group's, label kept, so that a group word alone (abusive or warm) does not
 * decide the label. Swaps are made from neutral, venting and abusive lines alike; threats and
 * multi-turn snippets are left alone (too few threats per group to balance, and a snippet's
 * context would still name the old group). A line's group is its tag (the project's identity
 * lines, ToxiGen) or, untagged, the first group its words name: the public hate sources name a few
 * groups far more than others (Stormfront: black and jewish people), and unswapped they teach
 * those groups' words as abuse.
 */
export const GROUP_SWAP_SOURCE = 'group-swap';
/** Copies made of each line, each to a different group. */
export const SWAPS_PER_LINE = 2;

const SWAPPABLE_GROUPS = Object.keys(GROUP_TERMS);

/** The groups a line goes to: a fixed pick per line, never its own group. */
function targetGroups(text: string, own: string): string[] {
  const others = SWAPPABLE_GROUPS.filter((group) => group !== own);
  const first = hashString(`swap:${text}`) % others.length;
  return Array.from(
    { length: Math.min(SWAPS_PER_LINE, others.length) },
    (_, i) => others[(first + i) % others.length]!,
  );
}

/** The counterfactual copies of the lines that can be swapped (source `group-swap`). */
export function groupSwaps(examples: readonly Example[]): Example[] {
  return examples.flatMap((example) => {
    const { label, context, text } = example;
    const group = example.group ?? namedGroup(text);
    if (group === undefined || label === 'threat' || context !== undefined) return [];
    return targetGroups(text, group).flatMap((to) => {
      const swapped = swapGroup(text, group, to);
      return swapped === undefined || swapped === text
        ? []
        : [{ ...example, text: swapped, group: to, source: GROUP_SWAP_SOURCE, swappedFrom: text }];
    });
  });
}
