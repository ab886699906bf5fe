import { LABELS, type Label } from '../../src/classifier/verdict.js';
import { wordOverlap } from '../../src/ladder/similarity.js';
import { unitHash } from './random.js';
import type { Example } from './types.js';

/** Share of training rows held back for early stopping. */
export const DEV_SHARE = 0.07;
/** Project rows are the closest to real calls, so each training row counts this many times. */
export const PROJECT_UPSAMPLE = 4;

/** Keeps the first example of each text; the caller orders sources by trust. */
export function dedupeByText(examples: readonly Example[]): Example[] {
  const seen = new Set<string>();
  return examples.filter(({ text }) => !seen.has(text) && (seen.add(text), true));
}

/** Word overlap (Jaccard) at or above which a project training row counts as a copy of a held-out row. */
export const NEAR_COPY_OVERLAP = 0.7;

/**
 * Deduplicates the training rows of all sources, drops any text that also occurs in a test set and
 * any project row that nearly copies a held-out project row (`heldOutProject`: hand-written lines
 * can repeat each other with a word changed), sets aside a dev slice (by hashing the text, so adding
 * rows never reshuffles it) and repeats project rows in what remains.
 */
export function assembleTraining(
  trainBySource: readonly Example[][],
  testSets: readonly Example[][],
  heldOutProject: readonly Example[] = [],
): { train: Example[]; dev: Example[] } {
  const tested = new Set(testSets.flat().map(({ text }) => text));
  const nearCopy = ({ text, source }: Example) =>
    source === 'project' && heldOutProject.some((held) => wordOverlap(held.text, text) >= NEAR_COPY_OVERLAP);
  const rows = dedupeByText(trainBySource.flat()).filter((row) => !tested.has(row.text) && !nearCopy(row));
  const isDev = ({ text }: Example) => unitHash(`dev:${text}`) < DEV_SHARE;
  const train = rows
    .filter((row) => !isDev(row))
    .flatMap((row) => (row.source === 'project' ? Array<Example>(PROJECT_UPSAMPLE).fill(row) : [row]));
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
