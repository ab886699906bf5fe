import { join } from 'node:path';
import type { Label } from '../../src/protocol/verdict.js';
import { readCsv } from './delimited.js';
import { soundsFrustrated } from './lexicon.js';
import { unitHash } from './random.js';
import { splitLabelled } from './labelled-split.js';
import type { SourceSplits } from './types.js';

const SOURCE = 'complaints';
const TEST_SHARE = 0.2;

/**
 * Complaint that sounds frustrated (swearing, angry words, "!!", a shouted word) → venting.
 * Most complaints are calm problem reports ("I never received my order"), which this project
 * calls neutral, but the annotation does not say which: calm complaints are dropped.
 * Not a complaint → neutral.
 */
export function mapComplaint(complaint: boolean, text: string): Label | undefined {
  if (!complaint) return 'neutral';
  return soundsFrustrated(text) ? 'venting' : undefined;
}

/** No published split: a fixed 20% of tweets, chosen by hashing the tweet id, is the test split. */
export function load(dataDir: string): SourceSplits {
  return splitLabelled(readCsv(join(dataDir, 'complaints', 'complaints-data.csv')), {
    source: SOURCE,
    text: ([, text = '']) => text,
    label: ([, text = '', complaint = '']) => mapComplaint(complaint === '1', text),
    trains: ([id = '']) => unitHash(`complaints:${id}`) >= TEST_SHARE,
  });
}
