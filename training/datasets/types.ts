import type { Label } from '../../src/classifier/verdict.js';
import type { SpeakerRole } from '../../src/protocol/transcript-chunk.js';

export interface Example {
  text: string;
  label: Label;
  source: string;
  /** Who says it; left out, a customer (every public set is customer-side text). */
  speaker?: SpeakerRole;
}

export interface SourceSplits {
  train: Example[];
  test: Example[];
}
