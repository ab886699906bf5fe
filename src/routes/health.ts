import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { tokenOf } from '../auth/tokens.js';
import { refusal } from '../protocol/errors.js';
import type { ServiceContext } from './context.js';
import { sendRefusal } from './http-errors.js';

/** Liveness and readiness probes, answered without a token and outside the HTTP rate limit. */
export const PROBE_ROUTES: ReadonlySet<string> = new Set(['/healthz', '/readyz']);

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/** With METRICS_TOKEN set, /metrics needs it as a bearer token (compared in constant time). */
function mayReadMetrics(request: FastifyRequest, metricsToken: string | undefined): boolean {
  if (metricsToken === undefined) return true;
  const given = tokenOf(request.headers, undefined);
  return given !== undefined && timingSafeEqual(digest(given), digest(metricsToken));
}

export function registerHealth(app: FastifyInstance, ctx: ServiceContext): void {
  app.get('/healthz', async () => ({ status: 'ok' }));

  // The classifier is loaded before the server is built, so "ready" means "not shutting down, and Redis (if used) reachable".
  app.get('/readyz', async (_request, reply) => {
    if (ctx.lifecycle.draining) return reply.code(503).send({ status: 'draining' });
    if (!ctx.state.ready()) return reply.code(503).send({ status: 'redis_unreachable' });
    return { status: 'ready', liveCalls: ctx.ingest.liveCalls };
  });

  app.get('/metrics', async (request, reply) => {
    if (!mayReadMetrics(request, ctx.config.metricsToken)) {
      return sendRefusal(
        reply,
        refusal('unauthorized', 'this service protects /metrics: send Authorization: Bearer <METRICS_TOKEN>'),
      );
    }
    const depth = (ctx.classifier as { queueDepth?: unknown }).queueDepth;
    if (typeof depth === 'number') ctx.metrics.queueDepth.set(depth);
    return reply.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  });
}
