import { join } from 'node:path';
import type { Label } from '../../src/protocol/verdict.js';
import { readCsv, withHeader } from './delimited.js';
import { hasInsult, hasSwearing } from './lexicon.js';
import type { Example, SourceSplits } from './types.js';

const SOURCE = 'kaggle_insults';

/**
 * The comments are Python byte-string literals inside quotes: `\\n`, `\\xa0` and UTF-8 bytes
 * as `\\xe2\\x80\\x99`. Runs of `\xNN` are decoded together as UTF-8 (Latin-1
 * where they are not valid UTF-8, as a lone `\xa0` is); breaks become spaces.
 */
export function cleanKaggleComment(raw: string): string {
  const unquoted = raw.replace(/^"([\s\S]*)"$/, '$1');
  return unquoted
    .replace(/(?:\\+x[0-9a-f]{2})+/gi, (run) => {
      const bytes = run
        .split(/\\+x/)
        .filter((hex) => hex !== '')
        .map((hex) => parseInt(hex, 16));
      const utf8 = Buffer.from(bytes).toString('utf8');
      return utf8.includes('\ufffd') ? Buffer.from(bytes).toString('latin1') : utf8;
    })
    .replace(/\\+[nrt]/g, ' ')
    .replace(/\\+(['"])/g, '$1')
    .replace(/\u00a0/g, ' ');
}

/**
 * Insult (aimed at a participant of the conversation, by the competition's definition) →
 * abusive. Not an insult but swearing → venting, unless it names someone with an insult word
 * ("raising such a cunt"): abuse of a third party, dropped. The rest → neutral.
 */
export function mapKaggleInsult(insult: boolean, text: string): Label | undefined {
  if (insult) return 'abusive';
  if (!hasSwearing(text)) return 'neutral';
  return hasInsult(text) ? undefined : 'venting';
}

function loadFile(path: string): Example[] {
  return withHeader(readCsv(path)).flatMap((row) => {
    const text = cleanKaggleComment(row.Comment ?? '');
    const label = mapKaggleInsult(row.Insult === '1', text);
    return label ? [{ text, label, source: SOURCE }] : [];
  });
}

/** Competition terms are unclear: used to train and measure, never redistributed. */
export function load(dataDir: string): SourceSplits {
  const dir = join(dataDir, 'kaggle_insults');
  return { train: loadFile(join(dir, 'train.csv')), test: loadFile(join(dir, 'test_with_solutions.csv')) };
}
