import { join } from 'node:path';
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
import * as scriptedCalls from './scripted-calls.js';
import * as sgd from './sgd.js';
import * as stormfront from './stormfront.js';
import * as toxigen from './toxigen.js';

/** Where the data sets are: the public sets, and the project's own folders in the repository. */
export interface SourceDirs {
  dataDir: string;
  corpusDir: string;
  blindDir: string;
  /** Multi-turn snippets (CONTRACT.md format). */
  contextDir: string;
  /** Whole scripted calls written for training, in the call-level set's format. */
  callsDir: string;
  /** The blind sets of the context round: context.jsonl (snippets) and identity.jsonl (lines). */
  blindV3Dir: string;
  /** The blind set for the per-group flagged-rate target: harmless lines naming each group. */
  blindV4Dir: string;
  /** The larger blind set for the same target (about 360 lines per group). */
  blindV5Dir: string;
  /** Dev line sets: written apart from the corpus to screen candidates, never trained on. */
  devLinesDir: string;
}

export interface Source {
  name: string;
  /** Project-written data is already in speech-to-text style and may hold threats; public data is converted. */
  projectWritten: boolean;
  /** A dev set (training/dev-lines/): measured like a held-out set, but may choose between candidates. */
  dev?: boolean;
  load(dirs: SourceDirs): SourceSplits;
}

/** A blind set is measured only, whatever split its rows name. */
const blindOnly = ({ train, test }: SourceSplits): SourceSplits => ({ train: [], test: [...train, ...test] });

const publicSource = (name: string, load: (dir: string) => SourceSplits): Source => ({
  name,
  projectWritten: false,
  load: (dirs) => load(dirs.dataDir),
});

/** The project corpus comes first so that, where a text repeats, its label wins. */
export const SOURCES: readonly Source[] = [
  { name: 'project', projectWritten: true, load: (dirs) => projectCorpus.load(dirs.corpusDir) },
  // Written blind after the first model was evaluated (training/heldout-v2/README.md): test rows only.
  { name: 'project-blind', projectWritten: true, load: (dirs) => projectCorpus.load(dirs.blindDir, 'project-blind') },
  {
    name: 'project-context',
    projectWritten: true,
    load: (dirs) => projectCorpus.load(dirs.contextDir, 'project-context'),
  },
  { name: 'project-calls', projectWritten: true, load: (dirs) => scriptedCalls.load(dirs.callsDir, 'project-calls') },
  // Written blind from DOMAIN.md for the context round: test rows only, never read while training.
  {
    name: 'context-blind',
    projectWritten: true,
    load: (dirs) => blindOnly(projectCorpus.load(dirs.blindV3Dir, 'context-blind', (file) => file === 'context.jsonl')),
  },
  {
    name: 'identity-blind',
    projectWritten: true,
    load: (dirs) =>
      blindOnly(projectCorpus.load(dirs.blindV3Dir, 'identity-blind', (file) => file === 'identity.jsonl')),
  },
  // Written blind for issue 12's ratio target (training/heldout-v4/README.md): 40 harmless lines per group.
  {
    name: 'identity-neutral-blind',
    projectWritten: true,
    load: (dirs) => blindOnly(projectCorpus.load(dirs.blindV4Dir, 'identity-neutral-blind')),
  },
  // The same kind of lines, nine times as many (training/heldout-v5/README.md): 40 a group cannot decide the ratio.
  {
    name: 'identity-neutral-blind-v5',
    projectWritten: true,
    load: (dirs) => blindOnly(projectCorpus.load(dirs.blindV5Dir, 'identity-neutral-blind-v5')),
  },
  // Venting lines written apart from the corpus (training/dev-lines/README.md): a dev set, which
  // may choose between candidates before the held-out sets are read; never trained on.
  {
    name: 'dev-venting',
    projectWritten: true,
    dev: true,
    load: (dirs) => blindOnly(projectCorpus.load(dirs.devLinesDir, 'dev-venting')),
  },
  publicSource('olid', olid.load),
  publicSource('kaggle_insults', kaggleInsults.load),
  publicSource('convabuse', convabuse.load),
  publicSource('goemotions', goemotions.load),
  publicSource('complaints', complaints.load),
  publicSource('banking77', banking77.load),
  publicSource('clinc150', clinc150.load),
  publicSource('sgd', sgd.load),
  publicSource('davidson', davidson.load),
  publicSource('toxigen', toxigen.load),
  publicSource('stormfront', stormfront.load),
];

export const DEFAULT_SOURCE_DIRS = {
  corpusDir: join('training', 'corpus'),
  blindDir: join('training', 'heldout-v2'),
  contextDir: join('training', 'corpus-context'),
  callsDir: join('training', 'corpus-calls', 'calls'),
  blindV3Dir: join('training', 'heldout-v3'),
  blindV4Dir: join('training', 'heldout-v4'),
  blindV5Dir: join('training', 'heldout-v5'),
  devLinesDir: join('training', 'dev-lines'),
};

const MASK_SEED = 'call-guard-asr-mask-v1';

/**
 * ASR-style text, seeded profanity masking, spoken-turn length, no repeats. Public rows that read
 * as threats are dropped: no public set labels threats, so their public label would teach the
 * model that a threat is mere abuse or venting.
 */
export function normalise(examples: readonly Example[], publicSource: boolean): Example[] {
  const kept = examples.flatMap((example) => {
    const text = asrStyle(example.text);
    if (text === '' || wordCount(text) > MAX_WORDS || (publicSource && looksLikeThreat(text))) return [];
    const context = example.context?.map((turn) => ({ ...turn, text: maskProfanity(asrStyle(turn.text), MASK_SEED) }));
    return [{ ...example, text: maskProfanity(text, MASK_SEED), ...(context ? { context } : {}) }];
  });
  return dedupeByText(kept);
}

export function loadSource(source: Source, dirs: SourceDirs): SourceSplits {
  const { train, test } = source.load(dirs);
  return { train: normalise(train, !source.projectWritten), test: normalise(test, !source.projectWritten) };
}
