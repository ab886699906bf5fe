import { readFileSync } from 'node:fs';
import { clip, MAX_MODEL_CHARS } from './normalize.js';

/** A SentencePiece unigram vocabulary: [piece, log-probability] by token id. */
export type Vocabulary = ReadonlyArray<readonly [string, number]>;

/** A token with the span of the input text it covers (UTF-16 offsets, end exclusive). */
export interface Token {
  id: number;
  start: number;
  end: number;
}

const WORD_BOUNDARY = '\u2581';
const UNKNOWN_ID = 0;
/** Ids 0..5 are control symbols (unknown, <s>, </s>, extra ids) and never matched as pieces. */
const RESERVED_IDS = 6;
/** The encoder reads at most this many tokens; the original graph drops the rest. */
export const MAX_TOKENS = 128;
/** Symbols segmented at most: MAX_TOKENS pieces of at most 16 symbols each. */
const MAX_SYMBOLS = MAX_MODEL_CHARS;

interface TrieNode {
  children: Map<string, TrieNode>;
  id: number;
}

/**
 * Unigram Viterbi segmentation matching the reference tokenizer shipped with the Universal
 * Sentence Encoder lite (tfjs-models), including its tie-breaking: among equal-scoring
 * segmentations the last candidate wins, and consecutive unknown symbols merge into one.
 *
 * Kept rather than the Unigram model of `@huggingface/tokenizers` (the tokenizers of
 * `@huggingface/transformers`), measured with `npx tsx bench/tokenizer-choice.ts` on the same
 * vocabulary: it splits 56 of the 7,327 corpus lines differently from the reference, all with
 * masked words ("b****", where it breaks the tie the other way), it returns no character
 * offsets, which the evidence spans need, and it took twice as long per line (44–46 µs against 23).
 */
export class Tokenizer {
  readonly #vocabulary: Vocabulary;
  readonly #root: TrieNode = { children: new Map(), id: -1 };

  constructor(vocabulary: Vocabulary) {
    this.#vocabulary = vocabulary;
    for (let id = RESERVED_IDS; id < vocabulary.length; id++) {
      let node = this.#root;
      for (const symbol of vocabulary[id]![0]) {
        let child = node.children.get(symbol);
        if (!child) {
          child = { children: new Map(), id: -1 };
          node.children.set(symbol, child);
        }
        node = child;
      }
      node.id = id;
    }
  }

  /** The id of a control symbol (ids below RESERVED_IDS), which segmentation never produces. */
  controlId(symbol: string): number {
    const id = this.#vocabulary.findIndex(([piece], index) => index < RESERVED_IDS && piece === symbol);
    if (id < 0) throw new Error(`the vocabulary has no control symbol ${symbol}`);
    return id;
  }

  static fromFile(path: string): Tokenizer {
    return new Tokenizer(JSON.parse(readFileSync(path, 'utf8')) as Vocabulary);
  }

  encode(text: string): number[] {
    return this.tokenize(text).map((token) => token.id);
  }

  /**
   * Tokens with their spans in `text`, clipped to MAX_TOKENS. Only a prefix that normalises to at
   * most MAX_SYMBOLS symbols is read: the work is bounded however long the text, and however much
   * NFKC expands it (U+FDFA becomes 18 characters).
   */
  tokenize(fullText: string): Token[] {
    const { text, normalized } = boundedPrefix(fullText);
    if (normalized.length === 0) return [];
    // The piece symbols are code points of "▁" + text with spaces as "▁"; offsets[i] maps
    // symbol i back to the UTF-16 offset in the original text (NFKC may shift a few).
    const symbols = [WORD_BOUNDARY, ...normalized.replace(/ /g, WORD_BOUNDARY)];
    const offsets = symbolOffsets(text, normalized, symbols.length);

    const bestScore = new Array<number>(symbols.length + 1).fill(0);
    const bestId = new Array<number>(symbols.length + 1).fill(0);
    const bestLength = new Array<number>(symbols.length + 1).fill(0);
    const edges: Array<Array<[start: number, id: number, score: number]>> = Array.from(
      { length: symbols.length + 1 },
      () => [],
    );
    for (let start = 0; start < symbols.length; start++) {
      let node = this.#root.children.get(symbols[start]!);
      let matched = false;
      for (let end = start + 1; node; end++) {
        if (node.id >= 0) {
          edges[end]!.push([start, node.id, this.#vocabulary[node.id]![1]]);
          matched = true;
        }
        node = end < symbols.length ? node.children.get(symbols[end]!) : undefined;
      }
      if (!matched) edges[start + 1]!.push([start, UNKNOWN_ID, 0]);
    }
    for (let end = 1; end <= symbols.length; end++) {
      // Starts in ascending order, as the reference visits them.
      for (const [start, id, score] of edges[end]!.sort((a, b) => a[0] - b[0])) {
        const total = score + bestScore[start]!;
        if (bestScore[end] === 0 || total >= bestScore[end]!) {
          bestScore[end] = total;
          bestId[end] = id;
          bestLength[end] = end - start;
        }
      }
    }

    const tokens: Token[] = [];
    for (let end = symbols.length; end > 0; end -= Math.max(bestLength[end]!, 1)) {
      const start = end - Math.max(bestLength[end]!, 1);
      const id = bestId[end]!;
      const previous = tokens[tokens.length - 1];
      if (id === UNKNOWN_ID && previous?.id === UNKNOWN_ID) {
        previous.start = offsets[start]!;
        continue;
      }
      tokens.push({ id, start: offsets[start]!, end: offsets[end]! });
    }
    return tokens.reverse().slice(0, MAX_TOKENS);
  }
}

/** The longest prefix of `text` (to a close approximation) whose NFKC form fits MAX_SYMBOLS, and that form. */
function boundedPrefix(fullText: string): { text: string; normalized: string } {
  let text = clip(fullText, MAX_MODEL_CHARS);
  let normalized = text.normalize('NFKC');
  while (normalized.length > MAX_SYMBOLS) {
    const shorter = clip(text, Math.min(text.length - 1, Math.floor((text.length * MAX_SYMBOLS) / normalized.length)));
    text = shorter;
    normalized = text.normalize('NFKC');
  }
  return { text, normalized };
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * UTF-16 offsets into the original text for each symbol boundary. Symbol 0 is the leading word
 * boundary and covers no text. Where NFKC changed the text ("…" becomes "...", an accent is
 * composed), each character cluster is normalised on its own and its symbols map back to it: the
 * first to where it starts, the rest to where it ends, so a span never takes in its neighbours.
 */
function symbolOffsets(text: string, normalized: string, symbolCount: number): number[] {
  // Unchanged by NFKC: each symbol is its own character.
  if (normalized === text) return scaledOffsets(text, normalized, symbolCount);
  const offsets = [0];
  let joined = '';
  for (const { segment, index } of graphemes.segment(text)) {
    const piece = segment.normalize('NFKC');
    joined += piece;
    [...piece].forEach((_, k) => offsets.push(k === 0 ? index : index + segment.length));
  }
  offsets.push(text.length);
  // Clusters that normalise differently together than apart (rare): scale the offsets instead.
  if (joined !== normalized) return scaledOffsets(text, normalized, symbolCount);
  return offsets.slice(0, symbolCount + 1);
}

/** Each symbol's offset in `normalized`, scaled to `text`'s length (exact when the two are the same). */
function scaledOffsets(text: string, normalized: string, symbolCount: number): number[] {
  const offsets = [0];
  let position = 0;
  for (const symbol of normalized) {
    offsets.push(position);
    position += symbol.length;
  }
  offsets.push(position);
  const scale = text.length / normalized.length;
  return offsets.slice(0, symbolCount + 1).map((offset) => Math.round(offset * scale));
}
