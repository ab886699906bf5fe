import type { TSchema } from '@sinclair/typebox';
import type { FastifySchemaCompiler } from 'fastify';
import { queryValidator, validator } from '../protocol/validator.js';

/**
 * Fastify's validator compiler: a route's body, query string and params are checked by the same
 * compiled TypeBox validator as WebSocket messages, so a failure names its field the same way
 * ("body.texts: expected array", "querystring.limit: expected integer"); the error handler sends it
 * as `invalid_message`.
 */
export const compileHttpValidator: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = httpPart === 'querystring' ? queryValidator(schema) : validator(schema, httpPart);
  return (data: unknown) => {
    const checked = check(data);
    return checked.ok ? { value: checked.value } : { error: new Error(checked.message) };
  };
};
