import type { FastifyReply, FastifyRequest } from 'fastify';
import type { HttpError } from '../protocol/errors.js';
import { tokenOf, type Principal, type Scope, type TokenStore } from './tokens.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/**
 * A preValidation hook: 401 without a known token, 403 without one of `scopes`. It runs before a
 * WebSocket upgrade, so an unauthorised client never gets a socket.
 */
export function requireScope(tokens: TokenStore, scopes: Scope[]) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const principal = tokens.lookup(tokenOf(request.headers, request.query));
    if (!principal) {
      await reply.code(401).send({
        error: 'unauthorized',
        message: 'a valid token is required (Authorization: Bearer <token> or ?token=)',
      } satisfies HttpError);
      return;
    }
    if (!scopes.some((s) => principal.scopes.has(s))) {
      await reply
        .code(403)
        .send({ error: 'forbidden', message: `this token lacks the ${scopes.join(' or ')} scope` } satisfies HttpError);
      return;
    }
    request.principal = principal;
  };
}
