import { Type, type Static } from '@sinclair/typebox';
import { AGENT_ACTS, LABELS } from './labels.js';
import { oneOf } from './one-of.js';
import { SpeakerRole } from './transcript-chunk.js';

export const Label = oneOf(LABELS);
export type Label = Static<typeof Label>;

export const Scores = Type.Record(Label, Type.Number(), { additionalProperties: false });
export type Scores = Static<typeof Scores>;

export const AgentAct = oneOf(AGENT_ACTS);
export type AgentAct = Static<typeof AgentAct>;

/** Character offsets into the classified text (end exclusive). */
export const EvidenceSpan = Type.Object({
  start: Type.Integer(),
  end: Type.Integer(),
  text: Type.String(),
  /** Why the span is shown to the agent as evidence. */
  kind: oneOf(['model', 'masked-profanity', 'second-person']),
  /** How much this span pushed towards the predicted label (0..1); lexical kinds carry 1. */
  weight: Type.Number(),
});
export type EvidenceSpan = Static<typeof EvidenceSpan>;

export const Verdict = Type.Object({
  label: Label,
  scores: Scores,
  spans: Type.Array(EvidenceSpan),
  /** Agent lines only: the most likely act, and every act's probability (read by the ladder, not sent). */
  act: Type.Optional(AgentAct),
  actScores: Type.Optional(Type.Record(AgentAct, Type.Number(), { additionalProperties: false })),
  /** Customer finals read with context: the threat score of the line read without it (read by the ladder, not sent). */
  threatAlone: Type.Optional(Type.Number()),
});
export type Verdict = Static<typeof Verdict>;

/** The threat score the ladder acts on: the higher of the line read in its context and read alone. */
export const threatScoreOf = ({ scores, threatAlone }: Pick<Verdict, 'scores' | 'threatAlone'>): number =>
  Math.max(scores.threat, threatAlone ?? 0);

/** One of the call's earlier finals, given to the classifier as context. */
export const ContextTurn = Type.Object({ speaker: SpeakerRole, text: Type.String() });
export type ContextTurn = Static<typeof ContextTurn>;
