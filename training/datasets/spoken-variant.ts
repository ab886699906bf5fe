import { hashString } from './random.js';

/**
 * Callers address the agent by name, and speech-to-text keeps every "uh" and false start; the
 * hand-written lines mostly lack both, and round 9 reads a threat with a name or a filler added as
 * milder (`training/dev-noise-test.ts`: 82.8 % of dev threat lines read as threat alone, 76.7 % with
 * one). So one of the repeats of each project row is a spoken variant of it, label and context
 * kept. Round 10's runs did not show it closing that gap (models/use-lite-abuse/ROUNDS.md, "Round 10").
 */

/** What speech adds around a line: names and other ways to address someone, and fillers. */
export interface SpokenWords {
  names: readonly string[];
  vocatives: readonly string[];
  fillers: readonly string[];
}

/** The words training uses; `training/dev-noise-test.ts` measures with others. */
const TRAINING_SPOKEN_WORDS: SpokenWords = {
  names: [
    'sam',
    'chris',
    'jo',
    'lee',
    'alex',
    'emma',
    'tariq',
    'ngozi',
    'wei',
    'sofia',
    'callum',
    'bethany',
    'ravi',
    'hannah',
    'kev',
    'siobhan',
    'dylan',
    'fatima',
    'olu',
    'jess',
  ],
  vocatives: ['mate', 'love', 'pal', 'sir', 'madam', 'son', 'darling', 'sunshine', 'young man', 'my friend'],
  fillers: ['uh', 'um', 'erm', 'well', 'look', 'right', 'so', 'yeah', 'i mean', 'you know', 'listen', 'oh', 'and uh'],
};

const pick = <T>(items: readonly T[], key: number): T => items[key % items.length]!;

/** The text with an addressee or a filler added where speech puts them, chosen by hashing the text. */
export function spokenVariant(text: string, words: SpokenWords = TRAINING_SPOKEN_WORDS): string {
  const key = hashString(`spoken:${text}`);
  const name = pick(key & 1 ? words.names : words.vocatives, key >>> 1);
  const filler = pick(words.fillers, key >>> 8);
  const [first = '', ...rest] = text.split(' ');
  switch ((key >>> 16) % 5) {
    case 0:
      return `${name} ${text}`;
    case 1:
      return `${text} ${name}`;
    case 2:
      return `${filler} ${text}`;
    case 3:
      return `${filler} ${name} ${text}`;
    default:
      return [first, first, ...rest].join(' ');
  }
}
