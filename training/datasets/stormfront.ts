import { join } from 'node:path';
import type { Label } from '../../src/protocol/verdict.js';
import { readTsv, withHeader } from './delimited.js';
import { namedGroup } from './identity-terms.js';
import { splitLabelled } from './labelled-split.js';
import { capNeutralTraining } from './neutral-caps.js';
import { unitHash } from './random.js';
import type { SourceSplits } from './types.js';

const SOURCE = 'stormfront';
/** No usable published split here: a fixed 20% of forum posts, by hashing the post id, is held out. */
const TEST_SHARE = 0.2;

export interface StormfrontRow {
  /** `<post id>_<sentence number>`. */
  fileId: string;
  label: string;
  /** How many neighbouring sentences the annotator needed to decide. */
  contexts: number;
  text: string;
}

/** The forum's race talk: on this forum a sentence using these words is rarely a neutral example. */
const RACE_TALK =
  /\b(whites?|white (race|people|man|men|women|nations?|children|kids)|non-?whites?|race|racial|negro\w*|aryan|zionis\w*|nationalis\w*)\b/i;
const LINK_OR_TITLE = /https?:|www\.|youtube|\.com\b/i;
const MIN_WORDS = 4;

/**
 * hate → abusive (hate about a group, rarely said to the listener: this project calls that abusive
 * too); noHate → neutral; "relation" (hate only together with the next sentence) and "idk/skip"
 * (mostly other languages) are dropped, as is any sentence the annotator judged only with
 * neighbouring sentences (`contexts` > 0: "They probably stole a bunch of stuff" is hate only in
 * its thread). Link titles and fragments under four words are dropped. A noHate sentence that
 * names a group or talks about race is dropped as well: on a white-supremacist forum those are
 * the forum's own race talk ("classes full of blacks"), labelled noHate when not an outright
 * attack, and as neutral examples they would teach that such talk is ordinary; the warm and
 * factual group lines come from ToxiGen's neutral files and the project corpus instead.
 */
export function mapStormfront(row: StormfrontRow): Label | undefined {
  if (
    row.contexts > 0 ||
    LINK_OR_TITLE.test(row.text) ||
    row.text.split(/\s+/).filter((w) => /\p{L}/u.test(w)).length < MIN_WORDS
  )
    return undefined;
  if (row.label === 'hate') return 'abusive';
  if (row.label !== 'noHate') return undefined;
  return namedGroup(row.text.toLowerCase()) === undefined && !RACE_TALK.test(row.text) ? 'neutral' : undefined;
}

const postOf = (row: StormfrontRow): string => row.fileId.split('_')[0] ?? row.fileId;

export function load(dataDir: string): SourceSplits {
  const rows = withHeader(readTsv(join(dataDir, 'stormfront', 'sentences.tsv'))).map((record): StormfrontRow => ({
    fileId: record.file_id ?? '',
    label: record.label ?? '',
    contexts: Number(record.num_contexts ?? '0'),
    text: record.text ?? '',
  }));
  const splits = splitLabelled(rows, {
    source: SOURCE,
    text: (row) => row.text,
    label: mapStormfront,
    trains: (row) => unitHash(`stormfront:${postOf(row)}`) >= TEST_SHARE,
  });
  return { train: capNeutralTraining(splits.train, SOURCE), test: splits.test };
}
