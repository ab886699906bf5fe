import { sampleUpTo } from './random.js';
import type { Example, SourceSplits } from './types.js';

/**
 * Neutral text is plentiful and the other labels are not: fixed, seeded samples keep it from
 * swamping them and keep any one source from defining "neutral".
 */
const NEUTRAL_TRAIN_CAP = 2500;
const NEUTRAL_TEST_CAP = 500;
/** Neutral training rows kept from sources that also carry venting or abuse. */
const MIXED_NEUTRAL_TRAIN_CAP = 3000;

/** Task-oriented request corpora (all neutral): a sample of each split. */
export function neutralSplits(source: string, train: readonly string[], test: readonly string[]): SourceSplits {
  const toExamples = (texts: readonly string[], cap: number, split: string) =>
    sampleUpTo([...new Set(texts)], cap, `${source}:${split}`).map((text) => ({
      text,
      label: 'neutral' as const,
      source,
    }));
  return { train: toExamples(train, NEUTRAL_TRAIN_CAP, 'train'), test: toExamples(test, NEUTRAL_TEST_CAP, 'test') };
}

/** Samples the neutral training rows of a mixed source, keeping its other rows and their order. */
export function capNeutralTraining(examples: readonly Example[], seed: string): Example[] {
  const neutral = examples.filter((e) => e.label === 'neutral');
  const kept = new Set(sampleUpTo(neutral, MIXED_NEUTRAL_TRAIN_CAP, seed));
  return examples.filter((e) => e.label !== 'neutral' || kept.has(e));
}
