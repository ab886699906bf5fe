import type { SpeakerRole } from '../protocol/transcript-chunk.js';

export const LABELS = ['neutral', 'venting', 'abusive', 'threat'] as const;
export type Label = (typeof LABELS)[number];
export type Scores = Record<Label, number>;

/**
 * What an agent line does in the call (a second output of the model, agent lines only):
 * `set-limit` asks for respect in order to keep helping; `warn` says what happens IF the abuse goes
 * on (a conditional transfer or hang-up is a warning); `transfer` and `release` happen now;
 * `acknowledge` is empathy or an apology; `policy` states a rule, process or security check;
 * `other` is everything else.
 */
export const AGENT_ACTS = ['set-limit', 'warn', 'transfer', 'release', 'acknowledge', 'policy', 'other'] as const;
export type AgentAct = (typeof AGENT_ACTS)[number];

/** One of the call's earlier finals, given to the classifier as context. */
export interface ContextTurn {
  speaker: SpeakerRole;
  text: string;
}

/** Turns of context the model reads: the previous finals, oldest first. */
export const MAX_CONTEXT_TURNS = 4;

/** Why a span of the input is shown to the agent as evidence. */
type SpanKind = 'model' | 'masked-profanity' | 'second-person';

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
  /** Agent lines only: the most likely act, and every act's probability. */
  act?: AgentAct;
  actScores?: Record<AgentAct, number>;
}

/** Finals are latency-critical; partials are speculative and yield to finals in the queue. */
export type Priority = 'final' | 'partial';

export interface Classifier {
  /**
   * `speaker` defaults to the customer; `priority` to final; `context` is the call's previous
   * finals, oldest first (the last MAX_CONTEXT_TURNS are read); `lane` is who the work is for
   * (the tenant): lanes share the model in turn, so one cannot starve another.
   */
  classify(
    text: string,
    priority?: Priority,
    speaker?: SpeakerRole,
    context?: readonly ContextTurn[],
    lane?: string,
  ): Promise<Verdict>;
  close(): Promise<void>;
}
