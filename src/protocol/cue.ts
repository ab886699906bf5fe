import { Type, type Static } from '@sinclair/typebox';
import { LabelSchema, ScoresSchema, SpanSchema } from './common.js';
import { SpeakerRole } from './transcript-chunk.js';

export const CUE_TYPES = [
  'let-vent',
  'acknowledge',
  'set-limit',
  'warn',
  'transfer',
  'release',
  'ask-meaning',
  'safety-alert',
  'back-to-solving',
  'stay-calm',
  'break-debrief',
] as const;
export const CueType = Type.Union(CUE_TYPES.map((t) => Type.Literal(t)));
export type CueType = (typeof CUE_TYPES)[number];

export const Severity = Type.Union([
  Type.Literal('info'),
  Type.Literal('notice'),
  Type.Literal('warning'),
  Type.Literal('critical'),
]);
export type Severity = Static<typeof Severity>;

/** Where the call stands on the de-escalation ladder (DOMAIN.md). */
export const LADDER_STEPS = [
  'listen',
  'acknowledge',
  'solve',
  'limit',
  'warning',
  'transfer',
  'release',
  'safety',
] as const;
export const LadderStep = Type.Union(LADDER_STEPS.map((s) => Type.Literal(s)));
export type LadderStep = (typeof LADDER_STEPS)[number];

/** One classified utterance the cue is based on. */
export const Evidence = Type.Object({
  utteranceId: Type.String({ description: 'The transcript segmentId.' }),
  speaker: SpeakerRole,
  text: Type.String(),
  label: LabelSchema,
  scores: ScoresSchema,
  spans: Type.Array(SpanSchema),
  startMs: Type.Integer({ description: 'Call time the utterance started.' }),
  endMs: Type.Integer(),
});
export type Evidence = Static<typeof Evidence>;

export const Incident = Type.Object({
  utteranceId: Type.String(),
  text: Type.String(),
  label: LabelSchema,
  atMs: Type.Integer({ description: 'Call time (ms from the start of the audio).' }),
});
export type Incident = Static<typeof Incident>;

/** What a supervisor needs before taking a warm transfer. */
export const Briefing = Type.Object({
  summary: Type.String(),
  abusiveCount: Type.Integer(),
  threatCount: Type.Integer(),
  firstIncidentMs: Type.Optional(Type.Integer()),
  lastIncidentMs: Type.Optional(Type.Integer()),
  incidents: Type.Array(Incident, { description: 'The most recent incidents, oldest first.' }),
  stepsTaken: Type.Array(LadderStep),
  callerNow: Type.Union([
    Type.Literal('calm'),
    Type.Literal('venting'),
    Type.Literal('abusive'),
    Type.Literal('threatening'),
  ]),
});
export type Briefing = Static<typeof Briefing>;

export const Cue = Type.Object({
  id: Type.String(),
  seq: Type.Integer({ minimum: 1, description: 'Per-call, gap-free, starts at 1.' }),
  epoch: Type.String({
    description:
      'Names this run of seqs: a call numbered afresh (after a restart) gets another; compare seqs only within one epoch.',
  }),
  callId: Type.String(),
  agentId: Type.String(),
  teamId: Type.Optional(Type.String()),
  type: CueType,
  severity: Severity,
  step: LadderStep,
  script: Type.String({ description: 'A short suggested line or action for the agent.' }),
  evidence: Type.Array(Evidence),
  briefing: Type.Optional(Briefing),
  segmentReceivedAt: Type.Optional(Type.Number({ description: 'Epoch ms the triggering final segment arrived.' })),
  emittedAt: Type.Number({ description: 'Epoch ms the cue was emitted.' }),
});
export type Cue = Static<typeof Cue>;
