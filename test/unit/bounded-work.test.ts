import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { findEvidence, MAX_SPAN_CHARS } from '../../src/classifier/evidence.js';
import { MAX_MODEL_CHARS, normalizeForModel } from '../../src/classifier/normalize.js';
import { MAX_TOKENS, Tokenizer, type Vocabulary } from '../../src/classifier/tokenizer.js';

const tokenizer = new Tokenizer(JSON.parse(readFileSync('models/use-lite-abuse/vocab.json', 'utf8')) as Vocabulary);
/** U+FDFA is one character that NFKC turns into 18. */
const EXPANDING = '\uFDFA';

afterEach(() => {
  vi.restoreAllMocks();
});

/** The lengths of the strings NFKC-normalised while `run` runs: the work a text costs. */
function normalisedLengths(run: () => void): number[] {
  const normalize = vi.spyOn(String.prototype, 'normalize');
  run();
  return normalize.mock.contexts.map((text) => String(text).length);
}

describe('bounded work per text', () => {
  it('cuts a long text to MAX_MODEL_CHARS before lower-casing it, without splitting a surrogate pair', () => {
    expect(normalizeForModel('word '.repeat(2000))).toHaveLength(MAX_MODEL_CHARS);
    const emoji = `${'x'.repeat(MAX_MODEL_CHARS - 1)}😡`;
    expect(normalizeForModel(emoji)).toBe('x'.repeat(MAX_MODEL_CHARS - 1));
  });

  it('normalises at most MAX_MODEL_CHARS characters of an expanding text, and returns at most MAX_TOKENS tokens', () => {
    const text = `${EXPANDING.repeat(4000)} you idiot`;
    let tokens: ReturnType<Tokenizer['tokenize']> = [];
    const lengths = normalisedLengths(() => (tokens = tokenizer.tokenize(text)));
    expect(lengths.length).toBeGreaterThan(0);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(MAX_MODEL_CHARS);
    expect(tokens.length).toBeGreaterThan(0);
    expect(tokens.length).toBeLessThanOrEqual(MAX_TOKENS);
    // The spans point into the text read, so evidence offsets stay valid.
    expect(tokens.at(-1)!.end).toBeLessThanOrEqual(MAX_MODEL_CHARS);
  });

  it('reads the same tokens as before for text within the bound', () => {
    const text = 'you are a useless idiot and i want my money back';
    const lengths = normalisedLengths(() => tokenizer.tokenize(text));
    expect(lengths).toEqual([text.length]);
    expect(tokenizer.tokenize(`${text} ${'filler '.repeat(1000)}`).slice(0, 10)).toEqual(
      tokenizer.tokenize(text).slice(0, 10),
    );
  });
});

describe('evidence size', () => {
  const none = new Float32Array(0);

  it('finds masked profanity in a 4,000-letter word as one span of at most MAX_SPAN_CHARS', () => {
    const word = `${'a'.repeat(4000)}**`;
    const spans = findEvidence(`${word} now`, [], none, 'abusive');
    expect(spans).toEqual([
      { start: 0, end: MAX_SPAN_CHARS, text: 'a'.repeat(MAX_SPAN_CHARS), kind: 'masked-profanity', weight: 1 },
    ]);
    expect(findEvidence('a'.repeat(4000), [], none, 'abusive')).toEqual([]);
  });

  it('still marks ordinary masked words and single words', () => {
    const spans = findEvidence('you f***ing a**hole ****', [], none, 'abusive');
    expect(spans.map((s) => [s.text, s.kind])).toEqual([
      ['you', 'second-person'],
      ['f***ing', 'masked-profanity'],
      ['a**hole', 'masked-profanity'],
      ['****', 'masked-profanity'],
    ]);
  });

  it('caps the spans of a text that repeats second-person words and masked profanity', () => {
    const spans = findEvidence('you f*** '.repeat(1000), [], none, 'threat');
    expect(spans.filter((s) => s.kind === 'second-person')).toHaveLength(4);
    expect(spans.filter((s) => s.kind === 'masked-profanity')).toHaveLength(4);
    expect(JSON.stringify(spans).length).toBeLessThan(2000);
  });
});
