import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESERVED_IDS, type Vocabulary } from './tokenizer.js';

const WORD = /n't|'[a-z]+|[a-z0-9]+|[^\sa-z0-9']/g;

/** GloVe's tokens of a line: "can't" is "ca" "n't", "you're" is "you" "'re" (training/word_features.py splits alike). */
export function splitWords(text: string): string[] {
  const spaced = text
    .toLowerCase()
    .replace(/n't\b/g, " n't")
    .replace(/'(s|ve|re|ll|d|m)\b/g, " '$1");
  return spaced.match(WORD) ?? [];
}

interface WordVectorsMeta {
  dims: number;
  words: string[];
}

/**
 * A model folder's word vectors (word-vectors.json and .bin, written by training/word_vectors.py:
 * GloVe words as int8 with a scale each). When a folder has them, the context head reads each
 * line's sentence embedding followed by the mean vector of the line's words: words the encoder's
 * 8,000 pieces split apart keep what GloVe learnt of them. The words are read back from the token
 * ids, as training reads them, so both see the same text.
 */
export class WordVectors {
  readonly #index: Map<string, number>;
  readonly #quantised: Int8Array;
  readonly #scales: Float32Array;
  readonly #dims: number;
  readonly #pieces: readonly string[];

  private constructor(meta: WordVectorsMeta, data: Buffer, vocabulary: Vocabulary) {
    const count = meta.words.length;
    this.#dims = meta.dims;
    this.#index = new Map(meta.words.map((word, i) => [word, i]));
    this.#quantised = new Int8Array(data.buffer, data.byteOffset, count * meta.dims);
    this.#scales = new Float32Array(
      data.buffer.slice(data.byteOffset + count * meta.dims, data.byteOffset + data.length),
    );
    if (this.#scales.length !== count)
      throw new Error(`word-vectors.bin holds ${data.length} bytes, not ${count * (meta.dims + 4)}`);
    this.#pieces = vocabulary.map(([piece]) => piece);
  }

  /** The folder's word vectors (the words read back with its vocab.json), or undefined when it has none: the context head then reads the embedding alone. */
  static load(modelDir: string): WordVectors | undefined {
    const metaPath = join(modelDir, 'word-vectors.json');
    if (!existsSync(metaPath)) return undefined;
    const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as WordVectorsMeta;
    const vocabulary = JSON.parse(readFileSync(join(modelDir, 'vocab.json'), 'utf8')) as Vocabulary;
    return new WordVectors(meta, readFileSync(join(modelDir, 'word-vectors.bin')), vocabulary);
  }

  /** `embedding` followed by the mean vector of the words of `ids` found (zeros when none is). */
  extend(ids: readonly number[], embedding: Float32Array): Float32Array {
    const out = new Float32Array(embedding.length + this.#dims);
    out.set(embedding);
    const text = ids
      .filter((id) => id >= RESERVED_IDS)
      .map((id) => this.#pieces[id])
      .join('')
      .replaceAll('\u2581', ' ');
    let found = 0;
    for (const word of splitWords(text)) {
      const row = this.#index.get(word);
      if (row === undefined) continue;
      found++;
      const scale = this.#scales[row]!;
      for (let d = 0; d < this.#dims; d++) out[embedding.length + d]! += this.#quantised[row * this.#dims + d]! * scale;
    }
    if (found > 1) for (let d = embedding.length; d < out.length; d++) out[d]! /= found;
    return out;
  }
}
