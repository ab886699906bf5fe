import { Type, type Static } from '@sinclair/typebox';
import { Id, TokenQuery } from './common.js';
import { CueType } from './cue.js';
import { oneOf } from './one-of.js';
import { Label } from './verdict.js';

/** Cue types that make a call an incident: the caller crossed a line (DOMAIN.md, the ladder). */
export const INCIDENT_CUES = ['set-limit', 'warn', 'transfer', 'release', 'ask-meaning', 'safety-alert'] as const;
export type IncidentCue = (typeof INCIDENT_CUES)[number];
const IncidentCueSchema = oneOf(INCIDENT_CUES);

const EpochMs = Type.Integer({ minimum: 0, maximum: 8.64e15, description: 'Milliseconds since 1970-01-01 UTC.' });

export const IncidentQuery = Type.Object(
  {
    from: Type.Optional({ ...EpochMs, description: 'First incident at or after this time.' }),
    to: Type.Optional({ ...EpochMs, description: 'First incident before this time.' }),
    agentId: Type.Optional(Id('Only incidents of this agent.')),
    teamId: Type.Optional(Id('Only incidents of this team.')),
    cueType: Type.Optional(IncidentCueSchema),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 512, description: 'nextCursor of the previous page.' })),
  },
  { additionalProperties: false },
);
export type IncidentQuery = Static<typeof IncidentQuery>;

/** The list's query string: the filters, and the token a link to the record may carry. */
export const IncidentListQuery = Type.Composite([IncidentQuery, TokenQuery], { additionalProperties: false });
export type IncidentListQuery = Static<typeof IncidentListQuery>;

export const ExportQuery = Type.Composite(
  [
    Type.Omit(IncidentQuery, ['limit', 'cursor']),
    Type.Object({ format: Type.Union([Type.Literal('jsonl'), Type.Literal('csv')]) }),
    TokenQuery,
  ],
  { additionalProperties: false },
);
export type ExportQuery = Static<typeof ExportQuery>;

export const CallIdParams = Type.Object({ callId: Id('The call.') }, { additionalProperties: false });
export type CallIdParams = Static<typeof CallIdParams>;

const IncidentEpoch = Type.String({
  maxLength: 128,
  description:
    'The epoch of the call’s cues: a call id used again after call.end is another call, with another epoch and its own incident (empty for incidents recorded before epochs were kept).',
});

/** Which call of that id: the one of this epoch; without it, the newest (GET) or every one (DELETE). */
export const IncidentCallQuery = Type.Composite([Type.Object({ epoch: Type.Optional(IncidentEpoch) }), TokenQuery], {
  additionalProperties: false,
});
export type IncidentCallQuery = Static<typeof IncidentCallQuery>;

export const IncidentSummary = Type.Object({
  callId: Type.String(),
  epoch: IncidentEpoch,
  agentId: Type.String(),
  teamId: Type.Optional(Type.String()),
  startedAt: EpochMs,
  firstIncidentAt: EpochMs,
  endedAt: Type.Optional(EpochMs),
  cueTypes: Type.Array(CueType, { description: 'Incident cue types raised in the call, in the order first raised.' }),
});
export type IncidentSummary = Static<typeof IncidentSummary>;

export const IncidentPage = Type.Object({
  incidents: Type.Array(IncidentSummary),
  nextCursor: Type.Optional(Type.String({ description: 'Pass as cursor for the next page; absent on the last page.' })),
});
export type IncidentPage = Static<typeof IncidentPage>;

const TIMELINE_KINDS = ['line', 'cue', 'step', 'claim', 'feedback'] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

/** One entry of an incident's timeline; `data` is the line, cue, step change, claim or correction as recorded. */
export const TimelineEntry = Type.Object({
  at: EpochMs,
  kind: oneOf(TIMELINE_KINDS),
  data: Type.Record(Type.String(), Type.Unknown()),
});
export type TimelineEntry = Static<typeof TimelineEntry>;

export const IncidentDetail = Type.Composite([IncidentSummary, Type.Object({ timeline: Type.Array(TimelineEntry) })]);
export type IncidentDetail = Static<typeof IncidentDetail>;

/** "Wrong label": the right label for one transcript line, from an agent or a supervisor. */
export const LabelFeedback = Type.Object(
  {
    callId: Id('The call the line belongs to.'),
    segmentId: Id('The line (transcript segmentId).'),
    label: Label,
  },
  { additionalProperties: false },
);
export type LabelFeedback = Static<typeof LabelFeedback>;

export const FeedbackRecorded = Type.Object({
  callId: Type.String(),
  segmentId: Type.String(),
  text: Type.String({ description: 'The line as stored: digit runs masked.' }),
  speaker: Type.String(),
  modelLabel: Type.Optional(Label),
  label: Label,
  by: Type.String(),
  at: EpochMs,
});
export type FeedbackRecorded = Static<typeof FeedbackRecorded>;
