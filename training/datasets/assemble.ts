import { LABELS } from '../../src/protocol/labels.js';
import type { Label } from '../../src/protocol/verdict.js';
import { setOverlap, wordSet } from '../../src/ladder/similarity.js';
import { GROUP_SWAP_SOURCE, groupSwaps } from './group-swap.js';
import { unitHash } from './random.js';
import { spokenVariant } from './spoken-variant.js';
import type { Example } from './types.js';

/** Share of training rows held back for early stopping. */
const DEV_SHARE = 0.07;
/** Project rows are the closest to real calls, so each training row counts this many times (one of them as its spoken variant). */
export const PROJECT_UPSAMPLE = 4;

/** What makes two examples the same: the text, and for a snippet also its context and speaker. */
function exampleKey({ text, context, speaker }: Example): string {
  return context ? JSON.stringify([context, speaker ?? 'customer', text]) : text;
}

/** Keeps the first example of each text (of each snippet); the caller orders sources by trust. */
export function dedupeByText(examples: readonly Example[]): Example[] {
  const seen = new Set<string>();
  return examples.filter((example) => {
    const key = exampleKey(example);
    return !seen.has(key) && (seen.add(key), true);
  });
}

/** Hand-written call speech (`project`, `project-context`): closest to real calls. */
function isProjectWritten(source: string): boolean {
  return source.startsWith('project');
}

/** Word overlap (Jaccard) at or above which a project training row counts as a copy of a held-out line. */
const NEAR_COPY_OVERLAP = 0.7;

/**
 * Deduplicates the training rows of all sources, drops any text that also occurs in a test set and
 * any project row that nearly copies a held-out line (`heldOutTexts`: hand-written lines can
 * repeat each other with a word changed), sets aside a dev slice (by hashing the text, so adding
 * rows never reshuffles it) and repeats project rows in what remains. Group-swapped copies
 * (`group-swap.ts`) of the training side are added once each, under the same checks.
 */
export function assembleTraining(
  trainBySource: readonly Example[][],
  testSets: readonly Example[][],
  heldOutTexts: readonly string[] = [],
): { train: Example[]; dev: Example[] } {
  const tested = new Set(testSets.flat().map(({ text }) => text));
  // Word sets made once: tens of thousands of rows meet thousands of held-out lines here.
  const heldOutWords = heldOutTexts.map(wordSet);
  const nearCopy = ({ text, source }: Example): boolean => {
    if (!isProjectWritten(source) && source !== GROUP_SWAP_SOURCE) return false;
    const words = wordSet(text);
    return heldOutWords.some((held) => setOverlap(held, words) >= NEAR_COPY_OVERLAP);
  };
  const rows = dedupeByText(trainBySource.flat()).filter((row) => !tested.has(row.text) && !nearCopy(row));
  // A snippet and its contrast share `pair`: they go to the same side, so dev measures the contrast.
  const isDev = ({ text, pair }: Example) =>
    unitHash(pair === undefined ? `dev:${text}` : `dev-pair:${pair}`) < DEV_SHARE;
  const kept = rows.filter((row) => !isDev(row));
  // Swapped from the training side only, so no dev line has a twin in training.
  const known = new Set(rows.map(({ text }) => text));
  const swaps = dedupeByText(groupSwaps(kept)).filter(
    (row) => !known.has(row.text) && !tested.has(row.text) && !nearCopy(row),
  );
  const train = [
    ...kept.flatMap((row) =>
      isProjectWritten(row.source)
        ? [...Array<Example>(PROJECT_UPSAMPLE - 1).fill(row), { ...row, text: spokenVariant(row.text) }]
        : [row],
    ),
    ...swaps,
  ];
  return { train, dev: rows.filter(isDev) };
}

export type LabelCounts = Record<Label, number>;

export function countBySourceAndLabel(examples: readonly Example[]): Map<string, LabelCounts> {
  const counts = new Map<string, LabelCounts>();
  for (const { source, label } of examples) {
    const row = counts.get(source) ?? (Object.fromEntries(LABELS.map((l) => [l, 0])) as LabelCounts);
    row[label]++;
    counts.set(source, row);
  }
  return counts;
}
