import { join } from 'node:path';
import { readCsv, withHeader } from './delimited.js';
import type { Example, SourceSplits } from './types.js';

const SOURCE = 'davidson';

/**
 * Measured on, never trained on. Its "offensive" class mixes casual profanity with slurs and
 * over-labels African-American English (Davidson et al. 2017; Sap et al. 2019), so it would
 * teach the model dialect, not abuse; that class is left out. Majority "hate speech" (slurs and
 * hate, which this project calls abusive) → abusive, "neither" → neutral: a check that the
 * model flags slurs without flagging ordinary tweets from the same population.
 */
export function load(dataDir: string): SourceSplits {
  const test = withHeader(readCsv(join(dataDir, 'davidson', 'labeled_data.csv'))).flatMap((row): Example[] => {
    const text = row.tweet ?? '';
    if (row.class === '0') return [{ text, label: 'abusive', source: SOURCE }];
    if (row.class === '2') return [{ text, label: 'neutral', source: SOURCE }];
    return [];
  });
  return { train: [], test };
}
