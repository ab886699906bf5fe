import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { neutralSplits } from './neutral-caps.js';
import type { SourceSplits } from './types.js';

type ClincData = Record<string, [text: string, intent: string][]>;

/**
 * Voice-assistant requests, in scope and out of scope alike → neutral (sampled). Validation
 * rows join training; in-scope and out-of-scope test rows are the test split.
 */
export function load(dataDir: string): SourceSplits {
  const data = JSON.parse(readFileSync(join(dataDir, 'clinc150', 'data_full.json'), 'utf8')) as ClincData;
  const texts = (...keys: string[]) => keys.flatMap((key) => (data[key] ?? []).map(([text]) => text));
  return neutralSplits('clinc150', texts('train', 'val', 'oos_train', 'oos_val'), texts('test', 'oos_test'));
}
