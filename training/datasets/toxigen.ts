import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Label } from '../../src/protocol/verdict.js';
import { unitHash } from './random.js';
import { splitLabelled } from './labelled-split.js';
import type { SourceSplits } from './types.js';

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

interface ToxigenRow {
  text: string;
  label: Label;
  group: string;
}

export function load(dataDir: string): SourceSplits {
  const root = join(dataDir, 'toxigen', 'demonstrations');
  const rows = readdirSync(root)
    .sort()
    .flatMap((topic) =>
      readdirSync(join(root, topic))
        .sort()
        .flatMap((file): ToxigenRow[] => {
          const mapped = mapToxigenFile(file);
          if (!mapped) return [];
          const sentences = toxigenSentences(readFileSync(join(root, topic, file), 'utf8'));
          return sentences.map((text) => ({ text, ...mapped }));
        }),
    );
  return splitLabelled(rows, {
    source: SOURCE,
    text: (row) => row.text,
    label: (row) => row.label,
    group: (row) => row.group,
    trains: (row) => unitHash(`toxigen:${row.text}`) >= TEST_SHARE,
  });
}
