import { Type, type Static } from '@sinclair/typebox';
import { oneOf } from './one-of.js';

/**
 * Characters no id may hold (a regular-expression class body): control characters (C0, DEL, C1)
 * and invisible format or bidi controls (U+061C, U+200B-U+200F, U+202A-U+202E, U+2060-U+206F,
 * U+FEFF, U+FFF9-U+FFFB), which would let an id pass for another in logs and on screens. Written
 * with \u escapes so every JSON Schema reader (the service's TypeBox, a client's validator) reads it the same.
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

/** Steps an agent UI (or the producer) can confirm the agent has taken. */
export const AckStep = oneOf(['limit-set', 'warning-given', 'transferred', 'released']);
export type AckStep = Static<typeof AckStep>;

/** Explicit acknowledgement that the agent took a ladder step; accepted on ingest and subscribe sockets. */
export const AgentAck = Type.Object(
  {
    type: Type.Literal('agent.ack'),
    id: RequestId,
    callId: Id('The call.'),
    step: AckStep,
    epoch: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description:
          'The epoch of the call the agent saw (its cues and summary carry it): an ack for a call that has since ended and started again is refused, not applied to the new call.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type AgentAck = Static<typeof AgentAck>;

/** `?token=`, for clients that cannot send an Authorization header (a browser's WebSocket, a download link). */
export const TokenQuery = Type.Object({
  token: Type.Optional(Type.String({ description: 'The bearer token, where no Authorization header can be sent.' })),
});
