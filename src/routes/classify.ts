import type { FastifyInstance } from 'fastify';
import { requireScope } from '../auth/guard.js';
import { QueueFullError } from '../classifier/index.js';
import { ClassifyRequest, ClassifyResponse, HttpError } from '../protocol/classify.js';
import type { ServiceContext } from './context.js';

/** The benchmarked hot path: a batch of texts through the same micro-batcher the calls use. */
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
        ctx.classifier.classify(text, 'final', speaker, undefined, request.principal!.tenant),
      );
      try {
        const results = await Promise.all(verdicts);
        ctx.metrics.classifyLatency.observe(
          { source: 'http', priority: 'final' },
          (performance.now() - started) / 1000,
        );
        return { results };
      } catch (error) {
        await Promise.allSettled(verdicts);
        if (!(error instanceof QueueFullError)) throw error;
        ctx.metrics.classifyFailures.inc({ reason: error.name });
        return reply.code(503).header('retry-after', '1').send({ error: 'queue_full', message: error.message });
      }
    },
  );
}
