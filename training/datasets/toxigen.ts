import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Label } from '../../src/protocol/verdict.js';
import { unitHash } from './random.js';
import type { Example, SourceSplits } from './types.js';

const SOURCE = 'toxigen';
/** No published split for the demonstrations: a fixed quarter, chosen by hashing the sentence, is held out. */
const TEST_SHARE = 0.25;

/** ToxiGen's file names → CONTRACT.md's group tags (bisexual counts as lgbtq). */
const GROUP_BY_FILE_GROUP: Readonly<Record<string, string>> = {
  asian: 'asian',
  black: 'black',
  chinese: 'chinese',
  jewish: 'jewish',
  latino: 'latino',
  lgbtq: 'lgbtq',
  bisexual: 'lgbtq',
  mental_disability: 'mental_dis',
  physical_disability: 'physical_dis',
  mexican: 'mexican',
  middle_east: 'middle_east',
  muslim: 'muslim',
  native_american: 'native_american',
  immigrant: 'immigrant',
  women: 'women',
};

/**
 * `hate_<group>[_sentences].txt` → abusive, `neutral_<group>[_sentences].txt` → neutral, each
 * line tagged with its group. The hate files hold implicit and explicit hate about a group
 * ("immigrants are stealing our jobs"), which this project calls abusive whoever it is said to;
 * the neutral files name the same groups kindly or factually, and teach that naming a group is
 * not abuse. A file of an unknown group is skipped.
 */
export function mapToxigenFile(fileName: string): { label: Label; group: string } | undefined {
  const match = /^(hate|neutral)_(.+?)(?:_sentences)?\.txt$/.exec(fileName);
  const group = match ? GROUP_BY_FILE_GROUP[match[2]!] : undefined;
  if (!match || !group) return undefined;
  return { label: match[1] === 'hate' ? 'abusive' : 'neutral', group };
}

/** One sentence a line; some end in a literal "\n" left over from the upstream export. */
export function toxigenSentences(fileText: string): string[] {
  return fileText
    .split(/\r?\n/)
    .map((line) => line.replace(/(\\n)+$/, '').trim())
    .filter((line) => line !== '');
}

export function load(dataDir: string): SourceSplits {
  const root = join(dataDir, 'toxigen', 'demonstrations');
  const splits: SourceSplits = { train: [], test: [] };
  for (const topic of readdirSync(root).sort()) {
    for (const file of readdirSync(join(root, topic)).sort()) {
      const mapped = mapToxigenFile(file);
      if (!mapped) continue;
      for (const text of toxigenSentences(readFileSync(join(root, topic, file), 'utf8'))) {
        const example: Example = { text, label: mapped.label, source: SOURCE, group: mapped.group };
        (unitHash(`toxigen:${text}`) < TEST_SHARE ? splits.test : splits.train).push(example);
      }
    }
  }
  return splits;
}
