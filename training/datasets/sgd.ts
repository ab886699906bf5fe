import { join } from 'node:path';
import { readTsv } from './delimited.js';
import { neutralSplits } from './neutral-caps.js';
import type { SourceSplits } from './types.js';

/**
 * Schema-Guided Dialogue user turns (booking, travel, media) → neutral (sampled). The dev split
 * joins training; test-split turns that also occur in training are removed later with all leaks.
 */
export function load(dataDir: string): SourceSplits {
  const rows = readTsv(join(dataDir, 'sgd', 'user_utterances.tsv'));
  const texts = (...splits: string[]) =>
    rows.filter(([split]) => splits.includes(split ?? '')).map(([, , text = '']) => text);
  return neutralSplits('sgd', texts('train', 'dev'), texts('test'));
}
