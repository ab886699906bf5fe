import { Type, type Static } from '@sinclair/typebox';

/**
 * Every name of an expected failure, on HTTP (`{"error": CODE, "message"}`) and on both WebSockets
 * (`{"type":"error","code": CODE, "message"}`) alike: one fault has one name whatever the route.
 */
export const ErrorCode = Type.Union([
  // What was sent.
  Type.Literal('bad_json'),
  Type.Literal('invalid_message'),
  Type.Literal('bad_request'),
  // Who sent it.
  Type.Literal('unauthorized'),
  Type.Literal('forbidden'),
  Type.Literal('rate_limited'),
  Type.Literal('too_many_connections'),
  // What it names.
  Type.Literal('unknown_call'),
  Type.Literal('call_exists'),
  Type.Literal('not_found'),
  // The service's state.
  Type.Literal('too_many_calls'),
  Type.Literal('queue_full'),
  Type.Literal('record_off'),
  Type.Literal('shutting_down'),
  Type.Literal('unavailable'),
  Type.Literal('internal'),
]);
export type ErrorCode = Static<typeof ErrorCode>;

/** An expected failure as every layer returns it; a route puts it on the wire in its transport's terms. */
export interface Refusal {
  ok: false;
  code: ErrorCode;
  message: string;
}

/** What a step gives back: `{ ok: true }` with what it made, or why it was refused. */
export type Outcome<T extends object = object> = ({ ok: true } & T) | Refusal;

export const refusal = (code: ErrorCode, message: string): Refusal => ({ ok: false, code, message });

/** The call store (Redis) could not be read or written: the client may retry. */
export const storeUnreachable = refusal('unavailable', 'the call store is unreachable; retry shortly');

export const ErrorMessage = Type.Object({
  type: Type.Literal('error'),
  id: Type.Optional(Type.String()),
  code: ErrorCode,
  message: Type.String({ description: 'What is wrong, naming the field where one is at fault.' }),
});
export type ErrorMessage = Static<typeof ErrorMessage>;

export const HttpError = Type.Object({ error: ErrorCode, message: Type.String() });
export type HttpError = Static<typeof HttpError>;
