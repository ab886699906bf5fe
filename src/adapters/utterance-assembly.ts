import { MAX_TEXT_CHARS } from '../protocol/transcript-chunk.js';

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

/** Words one utterance holds at most: beyond them (or beyond what one chunk carries) it is finished first. */
const MAX_UTTERANCE_WORDS = 1000;

/**
 * Final pieces waiting, per source, for the end of their utterance (Deepgram's speech_final or
 * UtteranceEnd, a Contact Lens speaker change), so the classifier reads whole sentences. Each
 * source keeps its pieces joined as they come, so a piece costs the same however many came before.
 */
export class UtteranceAssembly {
  private readonly pending = new Map<string, Piece>();

  /** Whether `piece` would make the source's utterance too long for one chunk: the adapter finishes it first. */
  wouldOverflow(sourceKey: string, piece: Piece): boolean {
    const waiting = this.pending.get(sourceKey);
    return (
      waiting !== undefined &&
      (waiting.text.length + 1 + piece.text.trim().length > MAX_TEXT_CHARS ||
        waiting.words.length + piece.words.length > MAX_UTTERANCE_WORDS)
    );
  }

  add(sourceKey: string, piece: Piece): void {
    const waiting = this.pending.get(sourceKey);
    this.pending.set(sourceKey, joinPieces(waiting ? [waiting, piece] : [piece]));
  }

  /** The pieces waiting on a source, joined; undefined when none wait. */
  peek(sourceKey: string): Piece | undefined {
    return this.pending.get(sourceKey);
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
    startMs: pieces.reduce((earliest, p) => Math.min(earliest, p.startMs), Infinity),
    endMs: pieces.reduce((latest, p) => Math.max(latest, p.endMs), -Infinity),
    words: pieces.flatMap((p) => p.words),
  };
}
