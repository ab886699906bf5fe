import { asrStyle, maskProfanity, MAX_WORDS, wordCount } from './asr-style.js';
import { dedupeByText } from './assemble.js';
import { looksLikeThreat } from './lexicon.js';
import type { Example, SourceSplits } from './types.js';
import * as banking77 from './banking77.js';
import * as clinc150 from './clinc150.js';
import * as complaints from './complaints.js';
import * as convabuse from './convabuse.js';
import * as davidson from './davidson.js';
import * as goemotions from './goemotions.js';
import * as kaggleInsults from './kaggle-insults.js';
import * as olid from './olid.js';
import * as projectCorpus from './project-corpus.js';
import * as sgd from './sgd.js';

export interface Source {
  name: string;
  /** The project corpus is read from the repository, the rest from the public data directory. */
  fromCorpus: boolean;
  load(dir: string): SourceSplits;
}

/** The project corpus comes first so that, where a text repeats, its label wins. */
export const SOURCES: readonly Source[] = [
  { name: 'project', fromCorpus: true, load: projectCorpus.load },
  { name: 'olid', fromCorpus: false, load: olid.load },
  { name: 'kaggle_insults', fromCorpus: false, load: kaggleInsults.load },
  { name: 'convabuse', fromCorpus: false, load: convabuse.load },
  { name: 'goemotions', fromCorpus: false, load: goemotions.load },
  { name: 'complaints', fromCorpus: false, load: complaints.load },
  { name: 'banking77', fromCorpus: false, load: banking77.load },
  { name: 'clinc150', fromCorpus: false, load: clinc150.load },
  { name: 'sgd', fromCorpus: false, load: sgd.load },
  { name: 'davidson', fromCorpus: false, load: davidson.load },
];

export const MASK_SEED = 'call-guard-asr-mask-v1';

/**
 * ASR-style text, seeded profanity masking, spoken-turn length, no repeats. Public rows that read
 * as threats are dropped: no public set labels threats, so their public label would teach the
 * model that a threat is mere abuse or venting.
 */
export function normalise(examples: readonly Example[], publicSource: boolean): Example[] {
  const kept = examples.flatMap((example) => {
    const text = asrStyle(example.text);
    if (text === '' || wordCount(text) > MAX_WORDS || (publicSource && looksLikeThreat(text))) return [];
    return [{ ...example, text: maskProfanity(text, MASK_SEED) }];
  });
  return dedupeByText(kept);
}

export function loadSource(source: Source, dirs: { dataDir: string; corpusDir: string }): SourceSplits {
  const { train, test } = source.load(source.fromCorpus ? dirs.corpusDir : dirs.dataDir);
  return { train: normalise(train, !source.fromCorpus), test: normalise(test, !source.fromCorpus) };
}
