import type { Static } from '@sinclair/typebox';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { HttpError } from '../protocol/classify.js';

const BAD_JSON = new Set(['FST_ERR_CTP_INVALID_JSON_BODY', 'FST_ERR_CTP_EMPTY_JSON_BODY']);

/** "body/texts must NOT have fewer than 1 items" → "body.texts: must NOT have fewer than 1 items". */
function validationMessage(error: FastifyError): string {
  const first = error.validation?.[0];
  if (!first) return error.message;
  const params = (first.params ?? {}) as { missingProperty?: string; additionalProperty?: string };
  const path = [error.validationContext ?? 'body', ...first.instancePath.split('/').filter(Boolean)];
  const named = params.missingProperty ?? params.additionalProperty;
  return `${[...path, ...(named ? [named] : [])].join('.')}: ${first.message ?? 'is not valid'}`;
}

function describe(error: FastifyError): { status: number; body: Static<typeof HttpError> } {
  if (error.validation) return { status: 400, body: { error: 'invalid_request', message: validationMessage(error) } };
  const status = error.statusCode ?? 500;
  if (status >= 500)
    return {
      status: 500,
      body: { error: 'internal', message: 'the service could not handle this request; see its log' },
    };
  if (status === 429) return { status, body: { error: 'rate_limited', message: error.message } };
  return { status, body: { error: BAD_JSON.has(error.code) ? 'bad_json' : 'bad_request', message: error.message } };
}

/** Every HTTP error leaves as `{"error", "message"}`, the shape the routes declare, naming the field at fault. */
export function registerHttpErrors(app: FastifyInstance): void {
  app.setErrorHandler<FastifyError>((error, request, reply) => {
    const { status, body } = describe(error);
    if (status === 500) request.log.error({ err: error }, 'request failed');
    return reply.code(status).send(body);
  });
}
