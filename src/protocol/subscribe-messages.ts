import { Type, type Static } from '@sinclair/typebox';
import { AgentAck, Id, RequestId } from './common.js';
import { Cue, LadderStep } from './cue.js';
import { SpeakerRole } from './transcript-chunk.js';
import { AgentAct, EvidenceSpan, Label, Scores } from './verdict.js';

/**
 * Where a subscriber stands in a call's cues: the last seq seen, best with the epoch it came
 * from (a bare seq is still accepted). Another epoch means the call was numbered afresh.
 */
export const ResumePoint = Type.Union([
  Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
  Type.Object(
    { epoch: Type.String({ maxLength: 64 }), seq: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }) },
    { additionalProperties: false },
  ),
]);
export type ResumePoint = Static<typeof ResumePoint>;

export const SubscriptionScope = Type.Union([
  Type.Object({ callId: Id('One call.') }, { additionalProperties: false }),
  Type.Object({ agentId: Id('Every call of one agent.') }, { additionalProperties: false }),
  Type.Object({ teamId: Id('Every call of a team (supervise scope).') }, { additionalProperties: false }),
  Type.Object(
    { tenant: Type.Literal(true, { description: 'Every call of the token’s tenant (supervise scope).' }) },
    { additionalProperties: false },
  ),
]);
export type SubscriptionScope = Static<typeof SubscriptionScope>;

export const Subscribe = Type.Object(
  {
    type: Type.Literal('subscribe'),
    id: RequestId,
    scope: SubscriptionScope,
    transcript: Type.Optional(
      Type.Boolean({
        description:
          'Also stream the labelled live transcript, starting with the final lines said so far (docs/protocol.md).',
      }),
    ),
    resume: Type.Optional(
      Type.Record(Type.String({ maxLength: 128 }), ResumePoint, {
        maxProperties: 1000,
        description: 'Last cue seen per callId; missed cues are replayed from the buffer.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type Subscribe = Static<typeof Subscribe>;

export const Unsubscribe = Type.Object(
  { type: Type.Literal('unsubscribe'), id: RequestId, subscriptionId: Type.String({ maxLength: 64 }) },
  { additionalProperties: false },
);
export type Unsubscribe = Static<typeof Unsubscribe>;

export const AlertClaim = Type.Object(
  {
    type: Type.Literal('alert.claim'),
    id: RequestId,
    callId: Id('The call.'),
    seq: Type.Integer({ minimum: 1, description: 'Seq of the safety-alert cue the supervisor takes on.' }),
  },
  {
    additionalProperties: false,
    description: 'A supervisor takes on a safety alert; every subscriber of the call learns who (supervise scope).',
  },
);
export type AlertClaim = Static<typeof AlertClaim>;

export const SubscriberMessage = Type.Union([Subscribe, Unsubscribe, AgentAck, AlertClaim]);
export type SubscriberMessage = Static<typeof SubscriberMessage>;

export const CallSummary = Type.Object({
  callId: Type.String(),
  agentId: Type.String(),
  teamId: Type.Optional(Type.String()),
  epoch: Type.String({ description: 'Names the run of cue numbers lastSeq belongs to (see Cue.epoch).' }),
  lastSeq: Type.Integer({ description: 'Seq of the newest cue so far (0 = none).' }),
  step: LadderStep,
  ended: Type.Boolean(),
});
export type CallSummary = Static<typeof CallSummary>;

export const Subscribed = Type.Object({
  type: Type.Literal('subscribed'),
  id: Type.Optional(Type.String()),
  subscriptionId: Type.String(),
  calls: Type.Array(CallSummary, { description: 'Calls in scope known now (live or recently ended).' }),
});
export type Subscribed = Static<typeof Subscribed>;

export const Unsubscribed = Type.Object({
  type: Type.Literal('unsubscribed'),
  id: Type.Optional(Type.String()),
  subscriptionId: Type.String(),
});
export type Unsubscribed = Static<typeof Unsubscribed>;

const CueMessage = Type.Object({ type: Type.Literal('cue'), cue: Cue });
type CueMessage = Static<typeof CueMessage>;

const CallEvent = Type.Object({
  type: Type.Literal('call'),
  event: Type.Union([Type.Literal('started'), Type.Literal('moved'), Type.Literal('ended')], {
    description: 'moved: the ladder step changed without a cue (the agent took a step, by saying it or by agent.ack).',
  }),
  call: CallSummary,
});
type CallEvent = Static<typeof CallEvent>;

/** The line of a call a transcript or unclassified event is about. */
const CallLine = {
  callId: Type.String(),
  segmentId: Type.String(),
  speaker: SpeakerRole,
  startMs: Type.Integer(),
  endMs: Type.Integer(),
};

export const TranscriptEvent = Type.Object({
  type: Type.Literal('transcript'),
  ...CallLine,
  isFinal: Type.Boolean(),
  text: Type.String(),
  label: Type.Optional(Label),
  scores: Type.Optional(Scores),
  spans: Type.Optional(Type.Array(EvidenceSpan)),
  act: Type.Optional(AgentAct),
  receivedAt: Type.Optional(Type.Number({ description: 'Finals: epoch ms the service received the final.' })),
});
export type TranscriptEvent = Static<typeof TranscriptEvent>;

export const AlertClaimed = Type.Object({
  type: Type.Literal('alert.claimed'),
  callId: Type.String(),
  seq: Type.Integer({ description: 'Seq of the safety-alert cue.' }),
  by: Type.String({ description: 'Name of the supervisor’s token (AUTH_TOKENS name).' }),
  at: Type.Integer({ description: 'When it was taken, ms since the epoch.' }),
});
export type AlertClaimed = Static<typeof AlertClaimed>;

/** Replay could not cover what was asked: cues afterSeq+1 .. beforeSeq-1 left the buffer. */
const ReplayGap = Type.Object({
  type: Type.Literal('gap'),
  callId: Type.String(),
  afterSeq: Type.Integer(),
  beforeSeq: Type.Integer(),
});
type ReplayGap = Static<typeof ReplayGap>;

/**
 * The call's cues are numbered afresh (the service restarted, or had forgotten the call): forget
 * the seqs held for it. The cues of the new epoch still held follow.
 */
const ReplayReset = Type.Object({
  type: Type.Literal('reset'),
  callId: Type.String(),
  epoch: Type.String({ description: 'The epoch the cues that follow carry.' }),
});
type ReplayReset = Static<typeof ReplayReset>;

/** An accepted final that could not be classified, after retries: it raised no cue. */
export const Unclassified = Type.Object({
  type: Type.Literal('unclassified'),
  ...CallLine,
  reason: Type.Union([Type.Literal('overloaded'), Type.Literal('failed')], {
    description:
      'overloaded: the classifier stayed full for the whole retry window; failed: the model or the service failed.',
  }),
});
export type Unclassified = Static<typeof Unclassified>;

export type SubscriberEvent =
  CueMessage | CallEvent | TranscriptEvent | ReplayGap | ReplayReset | AlertClaimed | Unclassified;
