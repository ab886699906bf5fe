import { Type, type Static } from '@sinclair/typebox';
import { SpeakerRole } from './transcript-chunk.js';
import { oneOf } from './one-of.js';
import { EvidenceSpan, Label, Scores } from './verdict.js';

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
export const CueType = oneOf(CUE_TYPES);
export type CueType = (typeof CUE_TYPES)[number];

export const Severity = oneOf(['info', 'notice', 'warning', 'critical']);
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
export const LadderStep = oneOf(LADDER_STEPS);
export type LadderStep = (typeof LADDER_STEPS)[number];

/** One classified utterance the cue is based on. */
export const Evidence = Type.Object({
  utteranceId: Type.String({ description: 'The transcript segmentId.' }),
  speaker: SpeakerRole,
  text: Type.String(),
  label: Label,
  scores: Scores,
  threatAlone: Type.Optional(
    Type.Number({
      description:
        'Customer finals read with context: the threat score of the line read without it. The ladder reads threats from the higher of this and scores.threat.',
    }),
  ),
  spans: Type.Array(EvidenceSpan),
  startMs: Type.Integer({ description: 'Call time the utterance started.' }),
  endMs: Type.Integer(),
});
export type Evidence = Static<typeof Evidence>;

export const Incident = Type.Object({
  utteranceId: Type.String(),
  text: Type.String(),
  label: Label,
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
  callerNow: oneOf(['calm', 'venting', 'abusive', 'threatening']),
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
