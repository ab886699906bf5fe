/** A word with its time, and the diarized speaker label when the provider sends one. */
export interface TimedWord {
  text: string;
  startMs: number;
  endMs: number;
  speakerKey?: string;
}

/** One final piece of an utterance that is still being spoken. */
export interface Piece {
  text: string;
  startMs: number;
  endMs: number;
  words: TimedWord[];
}

/**
 * Final pieces waiting, per source, for the end of their utterance (Deepgram's speech_final or
 * UtteranceEnd, a Contact Lens speaker change), so the classifier reads whole sentences.
 */
export class UtteranceAssembly {
  private readonly pending = new Map<string, Piece[]>();

  add(sourceKey: string, piece: Piece): void {
    const pieces = this.pending.get(sourceKey) ?? [];
    pieces.push(piece);
    this.pending.set(sourceKey, pieces);
  }

  /** The pieces waiting on a source, joined; undefined when none wait. */
  peek(sourceKey: string): Piece | undefined {
    const pieces = this.pending.get(sourceKey);
    return pieces?.length ? joinPieces(pieces) : undefined;
  }

  /** Like peek, and forgets them: the utterance is complete. */
  take(sourceKey: string): Piece | undefined {
    const joined = this.peek(sourceKey);
    this.pending.delete(sourceKey);
    return joined;
  }

  sources(): string[] {
    return [...this.pending.keys()];
  }

  get size(): number {
    return this.pending.size;
  }
}

export function joinPieces(pieces: readonly Piece[]): Piece {
  return {
    text: pieces
      .map((p) => p.text.trim())
      .filter(Boolean)
      .join(' '),
    startMs: Math.min(...pieces.map((p) => p.startMs)),
    endMs: Math.max(...pieces.map((p) => p.endMs)),
    words: pieces.flatMap((p) => p.words),
  };
}
