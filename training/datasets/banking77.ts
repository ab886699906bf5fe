import { join } from 'node:path';
import { readCsv, withHeader } from './delimited.js';
import { neutralSplits } from './neutral-caps.js';
import type { SourceSplits } from './types.js';

/** Banking customer-service requests → neutral (sampled). */
export function load(dataDir: string): SourceSplits {
  const texts = (file: string) => withHeader(readCsv(join(dataDir, 'banking77', file))).map((r) => r.text ?? '');
  return neutralSplits('banking77', texts('train.csv'), texts('test.csv'));
}
