import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmbeddingsModel } from '@energetic-ai/embeddings';
import { speakerPrefix } from '../../src/classifier/speaker-marker.js';
import { MAX_TOKENS, Tokenizer, type Vocabulary } from '../../src/classifier/tokenizer.js';

const vocabulary = JSON.parse(readFileSync('models/use-lite-abuse/vocab.json', 'utf8')) as Vocabulary;
const ours = new Tokenizer(vocabulary);
// The reference tokenizer ships inside the published encoder's runtime package.
const reference = (
  new EmbeddingsModel({ vocabulary, model: null } as never) as unknown as {
    tokenizer: { encode(text: string): number[] };
  }
).tokenizer;

const corpusDir = 'training/corpus';
const corpusSentences = readdirSync(corpusDir)
  .filter((file) => file.endsWith('.jsonl'))
  .flatMap((file) => readFileSync(join(corpusDir, file), 'utf8').split('\n'))
  .filter((line) => line.trim() !== '')
  .map((line) => (JSON.parse(line) as { text: string }).text);

const edgeCases = [
  '',
  ' ',
  'a',
  'double  spaced   words',
  '  leading and trailing  ',
  'THIS F***ING ROUTER!!!',
  'café naïve résumé façade',
  'ｆｕｌｌｗｉｄｔｈ letters and ① circled digits', // NFKC folds these
  'emoji 😡😡 and 🙂',
  'tabs\tand\nnewlines',
  '日本語のテキスト',
  'numbers 0800 123 4567 and £45.99 and 50%',
  "don't can't won't y'all",
  'uh uh uh like you know like',
];

describe('tokenizer', () => {
  it('has at least 1,000 corpus sentences to compare on', () => {
    expect(corpusSentences.length).toBeGreaterThanOrEqual(1000);
  });

  it('matches the reference tokenizer token for token', () => {
    const mismatches = [...corpusSentences, ...edgeCases].filter(
      (text) => JSON.stringify(ours.encode(text)) !== JSON.stringify(reference.encode(text).slice(0, MAX_TOKENS)),
    );
    expect(mismatches).toEqual([]);
  });

  it('gives each token the span of the text it covers', () => {
    const text = 'you useless idiot';
    const spans = ours.tokenize(text).map((token) => text.slice(token.start, token.end).trim());
    expect(spans.join('')).toBe('youuselessidiot');
  });

  it('keeps spans on their own characters where NFKC changes the text (an ellipsis, a composed accent, a fraction)', () => {
    const spansOf = (text: string) => ours.tokenize(text).map((token) => text.slice(token.start, token.end).trim());
    expect(spansOf('you are a pathetic moron… …').join('|')).toBe('you|are|a|path|e|tic|mor|on|…|…');
    const accented = 'cafe\u0301 you idiot';
    expect(spansOf(accented).slice(-2)).toEqual(['you', 'idiot']);
    expect(spansOf('½ of you').filter(Boolean)).toEqual(['½', 'of', 'you']);
  });

  it('clips long input to the encoder maximum', () => {
    expect(ours.encode('word '.repeat(300))).toHaveLength(MAX_TOKENS);
  });

  it('marks agent speech with a control symbol that no text tokenizes to', () => {
    expect(speakerPrefix(ours, 'customer')).toEqual([]);
    const [marker] = speakerPrefix(ours, 'agent');
    expect(vocabulary[marker!]![0]).toBe('extra_token_id_1');
    expect(
      [...corpusSentences, ...edgeCases, 'extra_token_id_1'].some((text) => ours.encode(text).includes(marker!)),
    ).toBe(false);
  });
});
