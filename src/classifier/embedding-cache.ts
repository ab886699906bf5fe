import type { SpeakerRole } from '../protocol/transcript-chunk.js';

/**
 * Sentence embeddings of recent finals, keyed by speaker and text, least recently used evicted
 * first. A final is embedded when it is classified; when later finals of the call name it as
 * context, its embedding comes from here instead of a second run of the encoder.
 */
export class EmbeddingCache {
  readonly #entries = new Map<string, Float32Array>();
  readonly #capacity: number;

  constructor(capacity: number) {
    if (capacity < 1) throw new RangeError('capacity must be at least 1');
    this.#capacity = capacity;
  }

  static key(speaker: SpeakerRole, text: string): string {
    return `${speaker}\u0000${text}`;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): Float32Array | undefined {
    const embedding = this.#entries.get(key);
    if (embedding) {
      this.#entries.delete(key);
      this.#entries.set(key, embedding);
    }
    return embedding;
  }

  set(key: string, embedding: Float32Array): void {
    this.#entries.delete(key);
    this.#entries.set(key, embedding);
    if (this.#entries.size > this.#capacity) this.#entries.delete(this.#entries.keys().next().value!);
  }
}
