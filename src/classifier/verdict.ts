import type { SpeakerRole } from '../protocol/transcript-chunk.js';

export const LABELS = ['neutral', 'venting', 'abusive', 'threat'] as const;
export type Label = (typeof LABELS)[number];
export type Scores = Record<Label, number>;

/** Why a span of the input is shown to the agent as evidence. */
export type SpanKind = 'model' | 'masked-profanity' | 'second-person';

/** Character offsets into the classified text (end exclusive). */
export interface EvidenceSpan {
  start: number;
  end: number;
  text: string;
  kind: SpanKind;
  /** How much this span pushed towards the predicted label (0..1); lexical kinds carry 1. */
  weight: number;
}

export interface Verdict {
  label: Label;
  scores: Scores;
  spans: EvidenceSpan[];
}

/** Finals are latency-critical; partials are speculative and yield to finals in the queue. */
export type Priority = 'final' | 'partial';

export interface Classifier {
  /** `speaker` defaults to the customer; `priority` to final. */
  classify(text: string, priority?: Priority, speaker?: SpeakerRole): Promise<Verdict>;
  close(): Promise<void>;
}
