import type { Label } from '../../src/classifier/verdict.js';

export interface Example {
  text: string;
  label: Label;
  source: string;
}

export interface SourceSplits {
  train: Example[];
  test: Example[];
}
