import { Type, type Static } from '@sinclair/typebox';

/**
 * Characters no id may hold (a regular-expression class body): control characters (C0, DEL, C1)
 * and invisible format or bidi controls (U+061C, U+200B-U+200F, U+202A-U+202E, U+2060-U+206F,
 * U+FEFF, U+FFF9-U+FFFB), which would let an id pass for another in logs and on screens. Written
 * with \u escapes so TypeBox and Ajv read the pattern the same.
 */
export const UNPRINTABLE =
  '\\u0000-\\u001F\\u007F-\\u009F\\u061C\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u206F\\uFEFF\\uFFF9-\\uFFFB';
/** A pattern for printable text: none of the characters above. */
const PRINTABLE = `^[^${UNPRINTABLE}]*$`;

export const Id = (description: string) =>
  Type.String({ minLength: 1, maxLength: 128, pattern: PRINTABLE, description });

/** Optional producer-chosen id, echoed in the ack or error that answers the message. */
export const RequestId = Type.Optional(
  Type.String({ maxLength: 128, pattern: PRINTABLE, description: 'Echoed in the reply.' }),
);

/** Call time in ms: 2^31 - 1 is almost 25 days, beyond any call. */
export const MAX_CALL_MS = 2 ** 31 - 1;

export const LabelSchema = Type.Union([
  Type.Literal('neutral'),
  Type.Literal('venting'),
  Type.Literal('abusive'),
  Type.Literal('threat'),
]);

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
  Type.Literal('unavailable'),
]);
export type ErrorCode = Static<typeof ErrorCode>;

export const ErrorMessage = Type.Object({
  type: Type.Literal('error'),
  id: Type.Optional(Type.String()),
  code: ErrorCode,
  message: Type.String({ description: 'What is wrong, naming the field where one is at fault.' }),
});
export type ErrorMessage = Static<typeof ErrorMessage>;
