import { join } from 'node:path';
import type { Label } from '../../src/protocol/verdict.js';
import { readCsv, withHeader } from './delimited.js';
import { splitLabelled } from './labelled-split.js';
import { unitHash } from './random.js';
import type { SourceSplits } from './types.js';

const SOURCE = 'davidson';
/** Share of the trainable hate tweets that trains; the rest stays with the held-out rows. */
const TRAIN_SHARE = 0.7;

export interface DavidsonRow {
  tweet: string;
  /** 0 hate speech, 1 offensive, 2 neither (the majority vote). */
  class: string;
  hateVotes: number;
  votes: number;
}

/** The in-group spellings of African-American English ("nigga", "niccas"), not the slur. */
const IN_GROUP_FORM = /\bni(gg|cc)(a|as|az|ah|uh)\b/i;

/**
 * Majority "hate speech" (slurs and hate, which this project calls abusive) → abusive, "neither"
 * → neutral. The "offensive" class mixes casual profanity with slurs and over-labels
 * African-American English (Davidson et al. 2017; Sap et al. 2019), so it would teach dialect,
 * not abuse: left out.
 */
export function mapDavidson(row: DavidsonRow): Label | undefined {
  if (row.class === '0') return 'abusive';
  if (row.class === '2') return 'neutral';
  return undefined;
}

/**
 * Only hate tweets every annotator called hate may train, and not those whose only "slur" is the
 * in-group spelling (the same dialect bias); 70% of them by hashing the tweet, the rest and all
 * other mapped rows are held out.
 */
export function trainsOnDavidson(row: DavidsonRow): boolean {
  return (
    row.class === '0' &&
    row.hateVotes === row.votes &&
    !IN_GROUP_FORM.test(row.tweet) &&
    unitHash(`davidson:${row.tweet}`) < TRAIN_SHARE
  );
}

export function load(dataDir: string): SourceSplits {
  const rows = withHeader(readCsv(join(dataDir, 'davidson', 'labeled_data.csv'))).map((record): DavidsonRow => ({
    tweet: record.tweet ?? '',
    class: record.class ?? '',
    hateVotes: Number(record.hate_speech ?? '0'),
    votes: Number(record.count ?? '0'),
  }));
  return splitLabelled(rows, {
    source: SOURCE,
    text: (row) => row.tweet,
    label: mapDavidson,
    trains: trainsOnDavidson,
  });
}
