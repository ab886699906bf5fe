import { Type, type Static } from '@sinclair/typebox';

export const Id = (description: string) => Type.String({ minLength: 1, maxLength: 128, description });

/** Optional producer-chosen id, echoed in the ack or error that answers the message. */
export const RequestId = Type.Optional(Type.String({ maxLength: 128, description: 'Echoed in the reply.' }));

export const LabelSchema = Type.Union([Type.Literal('neutral'), Type.Literal('venting'), Type.Literal('abusive'), Type.Literal('threat')]);

export const ScoresSchema = Type.Object(
  { neutral: Type.Number(), venting: Type.Number(), abusive: Type.Number(), threat: Type.Number() },
  { additionalProperties: false },
);

export const SpanSchema = Type.Object({
  start: Type.Integer(),
  end: Type.Integer(),
  text: Type.String(),
  kind: Type.Union([Type.Literal('model'), Type.Literal('masked-profanity'), Type.Literal('second-person')]),
  weight: Type.Number(),
});

export const VerdictSchema = Type.Object({ label: LabelSchema, scores: ScoresSchema, spans: Type.Array(SpanSchema) });

/** Steps an agent UI (or the producer) can confirm the agent has taken. */
export const AckStep = Type.Union([
  Type.Literal('limit-set'),
  Type.Literal('warning-given'),
  Type.Literal('transferred'),
  Type.Literal('released'),
]);
export type AckStep = Static<typeof AckStep>;

/** Explicit acknowledgement that the agent took a ladder step; accepted on ingest and subscribe sockets. */
export const AgentAck = Type.Object(
  { type: Type.Literal('agent.ack'), id: RequestId, callId: Id('The call.'), step: AckStep },
  { additionalProperties: false },
);
export type AgentAck = Static<typeof AgentAck>;

export const ErrorCode = Type.Union([
  Type.Literal('bad_json'),
  Type.Literal('invalid_message'),
  Type.Literal('unknown_call'),
  Type.Literal('call_exists'),
  Type.Literal('forbidden'),
  Type.Literal('rate_limited'),
  Type.Literal('too_many_calls'),
  Type.Literal('shutting_down'),
]);
export type ErrorCode = Static<typeof ErrorCode>;

export const ErrorMessage = Type.Object({
  type: Type.Literal('error'),
  id: Type.Optional(Type.String()),
  code: ErrorCode,
  message: Type.String({ description: 'What is wrong, naming the field where one is at fault.' }),
});
export type ErrorMessage = Static<typeof ErrorMessage>;
