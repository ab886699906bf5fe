import type { Classifier, Priority } from '../../src/classifier/classifier.js';
import type { Verdict } from '../../src/protocol/verdict.js';
import type { SpeakerRole } from '../../src/protocol/transcript-chunk.js';
import { KeywordClassifier } from './keyword-classifier.js';

/**
 * The keyword classifier, except that texts containing `marker` wait until the test opens the
 * gate: a test can hold a final "in the classifier" while it does something else.
 */
export class GatedClassifier implements Classifier {
  private readonly inner = new KeywordClassifier();
  private open!: () => void;
  private readonly gate = new Promise<void>((resolve) => (this.open = resolve));
  private heldCount = 0;
  private finishedHeld!: () => void;
  /** Resolves once every held classification has answered after the gate opened. */
  readonly drained = new Promise<void>((resolve) => (this.finishedHeld = resolve));

  constructor(private readonly marker: string) {}

  get held(): number {
    return this.heldCount;
  }

  release(): void {
    this.open();
  }

  async classify(text: string, priority?: Priority, speaker?: SpeakerRole): Promise<Verdict> {
    if (!text.includes(this.marker)) return this.inner.classify(text, priority, speaker);
    this.heldCount++;
    await this.gate;
    try {
      return await this.inner.classify(text, priority, speaker);
    } finally {
      if (--this.heldCount === 0) setImmediate(() => this.finishedHeld());
    }
  }

  async close(): Promise<void> {}
}
