import type { FastifyInstance } from 'fastify';
import { requireScope } from '../auth/guard.js';
import { QueueFullError } from '../classifier/index.js';
import { ClassifyRequest, ClassifyResponse } from '../protocol/classify.js';
import { HttpError, refusal } from '../protocol/errors.js';
import type { ServiceContext } from './context.js';
import { sendRefusal } from './http-errors.js';

/**
 * The benchmarked hot path: a batch of texts through the same micro-batcher the calls use, as
 * 'bulk', behind the tenant's own calls' finals and partials (other tenants are served in turn).
 */
export function registerClassify(app: FastifyInstance, ctx: ServiceContext): void {
  app.post<{ Body: ClassifyRequest }>(
    '/v1/classify',
    {
      schema: { body: ClassifyRequest, response: { 200: ClassifyResponse, 503: HttpError } },
      preValidation: requireScope(ctx.tokens, ['ingest', 'subscribe', 'supervise']),
    },
    async (request, reply) => {
      const started = performance.now();
      const { texts, speaker = 'customer' } = request.body;
      const verdicts = texts.map((text) =>
        ctx.classifier.classify(text, 'bulk', speaker, undefined, request.principal!.tenant),
      );
      try {
        const results = await Promise.all(verdicts);
        ctx.metrics.classifyLatency.observe({ source: 'http', priority: 'bulk' }, (performance.now() - started) / 1000);
        return { results };
      } catch (error) {
        await Promise.allSettled(verdicts);
        if (!(error instanceof QueueFullError)) throw error;
        ctx.metrics.classifyFailures.inc({ reason: error.name });
        return sendRefusal(reply.header('retry-after', '1'), refusal('queue_full', error.message));
      }
    },
  );
}
