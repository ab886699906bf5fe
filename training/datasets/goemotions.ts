import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Label } from '../../src/protocol/verdict.js';
import { readTsv } from './delimited.js';
import { hasInsult, insultsListener } from './lexicon.js';
import { capNeutralTraining } from './neutral-caps.js';
import { pick } from './random.js';
import type { Example, SourceSplits } from './types.js';

const SOURCE = 'goemotions';
const ANGRY = new Set(['anger', 'annoyance']);
/** Emotions that read as an ordinary customer turn: thanks, a question, mild confusion. */
const CALM = new Set(['neutral', 'gratitude', 'curiosity', 'confusion']);
const NAMES = ['james', 'maria', 'david', 'sarah', 'michael', 'linda', 'kevin', 'emma', 'raj', 'chen'];

/**
 * Anger or annoyance → venting, except abuse of the person addressed ("fuck you", "you're an
 * idiot") → abusive, and insults of someone else ("he's a sexist piece of shit") → dropped, as
 * that is neither the agent being abused nor frustration at a thing. Only calm emotions →
 * neutral. Everything else (joy, sadness, disgust, …) is not a customer-turn stand-in: dropped.
 */
export function mapGoEmotions(emotions: readonly string[], text: string): Label | undefined {
  if (emotions.some((e) => ANGRY.has(e))) {
    if (insultsListener(text)) return 'abusive';
    return hasInsult(text) ? undefined : 'venting';
  }
  return emotions.length > 0 && emotions.every((e) => CALM.has(e)) ? 'neutral' : undefined;
}

/** Reddit names were replaced by `[NAME]`; a spoken turn would have a name there. */
export function fillPlaceholders(text: string): string {
  return text
    .replace(/\[NAME\]/g, (_, offset: number) => pick(NAMES, `${text}:${offset}`))
    .replace(/\[RELIGION\]/g, 'religion');
}

export function load(dataDir: string): SourceSplits {
  const dir = join(dataDir, 'goemotions');
  const names = readFileSync(join(dir, 'labels.txt'), 'utf8')
    .split(/\r?\n/)
    .filter((n) => n !== '');
  const loadFile = (file: string): Example[] =>
    readTsv(join(dir, file)).flatMap(([raw = '', ids = '']) => {
      const emotions = ids.split(',').map((id) => names[Number(id)] ?? '');
      const label = mapGoEmotions(emotions, raw);
      return label ? [{ text: fillPlaceholders(raw), label, source: SOURCE }] : [];
    });
  // The dev split joins training; the test split is kept for measuring.
  const train = capNeutralTraining([...loadFile('train.tsv'), ...loadFile('dev.tsv')], SOURCE);
  return { train, test: loadFile('test.tsv') };
}
