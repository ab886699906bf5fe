import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { refusal, type ErrorCode, type HttpError, type Refusal } from '../protocol/errors.js';

/** The HTTP status of each failure. */
const HTTP_STATUS: Record<ErrorCode, number> = {
  bad_json: 400,
  invalid_message: 400,
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  rate_limited: 429,
  too_many_connections: 429,
  unknown_call: 404,
  not_found: 404,
  call_exists: 409,
  too_many_calls: 503,
  queue_full: 503,
  record_off: 503,
  shutting_down: 503,
  unavailable: 503,
  internal: 500,
};

/** Answers an expected failure as every HTTP route does: its status, and `{"error", "message"}`. */
export const sendRefusal = (reply: FastifyReply, { code, message }: Refusal): FastifyReply =>
  reply.code(HTTP_STATUS[code]).send({ error: code, message } satisfies HttpError);

export const RECORD_OFF = refusal('record_off', 'the incident record is off on this service (RECORD=off)');

const BAD_JSON = new Set(['FST_ERR_CTP_INVALID_JSON_BODY', 'FST_ERR_CTP_EMPTY_JSON_BODY']);

function describe(error: FastifyError): { status: number; body: HttpError } {
  // A request that does not match its route's schema; the message names the field (see http-validation).
  if (error.code === 'FST_ERR_VALIDATION')
    return { status: 400, body: { error: 'invalid_message', message: error.message } };
  const status = error.statusCode ?? 500;
  if (status >= 500)
    return {
      status: 500,
      body: { error: 'internal', message: 'the service could not handle this request; see its log' },
    };
  if (status === 429) return { status, body: { error: 'rate_limited', message: error.message } };
  return { status, body: { error: BAD_JSON.has(error.code) ? 'bad_json' : 'bad_request', message: error.message } };
}

/** Every HTTP error, an unknown route's included, leaves as `{"error", "message"}`, the shape the routes declare, naming the field at fault. */
export function registerHttpErrors(app: FastifyInstance): void {
  app.setErrorHandler<FastifyError>((error, request, reply) => {
    const { status, body } = describe(error);
    if (status === 500) request.log.error({ err: error }, 'request failed');
    return reply.code(status).send(body);
  });
  app.setNotFoundHandler((request, reply) =>
    sendRefusal(reply, refusal('not_found', `${request.method} ${request.url.split('?')[0]}: no such route`)),
  );
}
