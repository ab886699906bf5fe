import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from './context.js';

export function registerHealth(app: FastifyInstance, ctx: ServiceContext): void {
  app.get('/healthz', async () => ({ status: 'ok' }));

  // The classifier is loaded before the server is built, so "ready" means "not shutting down".
  app.get('/readyz', async (_request, reply) =>
    ctx.lifecycle.draining ? reply.code(503).send({ status: 'draining' }) : { status: 'ready', liveCalls: ctx.registry.size },
  );

  app.get('/metrics', async (_request, reply) => {
    const depth = (ctx.classifier as { queueDepth?: unknown }).queueDepth;
    if (typeof depth === 'number') ctx.metrics.queueDepth.set(depth);
    return reply.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  });
}
