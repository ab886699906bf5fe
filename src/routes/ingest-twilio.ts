import fastifyFormbody from '@fastify/formbody';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { CallAdapterState } from '../adapters/index.js';
import { twilio } from '../adapters/twilio.js';
import { requireScope } from '../auth/guard.js';
import { arrivalNow } from '../calls/call-session.js';
import { HttpError } from '../protocol/classify.js';
import type { ServiceContext } from './context.js';
import { parseProviderQuery } from './ingest-provider.js';
import { ingestChunk, rejectWhileDraining } from './ingest.js';

/** Every webhook names its event; the adapter checks the rest of the form. */
const TwilioWebhook = Type.Object({ TranscriptionEvent: Type.String({ minLength: 1 }) });
type TwilioWebhook = Static<typeof TwilioWebhook>;

const TwilioAccepted = Type.Object({ status: Type.Literal('accepted'), chunks: Type.Integer() });

interface TwilioCall {
  tenant: string;
  callId: string;
  state: CallAdapterState;
  /** Stands for "a webhook is being handled" in the registry's owner set. */
  owner: object;
}

/**
 * Twilio real-time transcription posts one form webhook per transcript piece (its
 * statusCallbackUrl) instead of streaming, so each call lives across many requests:
 *   POST /v1/ingest/twilio?callId=..&agentId=..[&teamId=..][&speakers=inbound_track:customer,..]
 * A call starts with its first webhook and ends on `transcription-stopped`, or, if that never
 * comes, ORPHAN_CALL_TIMEOUT_MS after the last webhook (the registry's orphan timer).
 */
export async function registerTwilioIngest(app: FastifyInstance, ctx: ServiceContext): Promise<void> {
  const calls = new Map<string, TwilioCall>();
  const callFor = (tenant: string, callId: string): TwilioCall => {
    const key = `${tenant}\u0000${callId}`;
    const known = calls.get(key);
    // A call that ended (stopped, or orphaned) starts afresh if webhooks come again.
    if (known && ctx.registry.get(tenant, callId)) return known;
    if (calls.size >= ctx.config.maxCalls) {
      for (const [k, call] of calls) if (!ctx.registry.get(call.tenant, call.callId)) calls.delete(k);
    }
    const fresh = { tenant, callId, state: new CallAdapterState(), owner: {} };
    calls.set(key, fresh);
    return fresh;
  };

  // Form parsing only for this route: the plugin's scope keeps it off every other route.
  await app.register(async (scope) => {
    await scope.register(fastifyFormbody, { bodyLimit: ctx.config.maxPayloadBytes });
    scope.post<{ Body: TwilioWebhook; Querystring: Record<string, string | undefined> }>(
      '/v1/ingest/twilio',
      {
        schema: { body: TwilioWebhook, response: { 200: TwilioAccepted, '4xx': HttpError, '5xx': HttpError } },
        preValidation: [requireScope(ctx.tokens, ['ingest']), rejectWhileDraining(ctx)],
      },
      async (request, reply) => {
        const arrival = arrivalNow();
        const tenant = request.principal!.tenant;
        const params = parseProviderQuery(request.query);
        if (!params.ok) return reply.code(400).send({ error: 'invalid_message', message: params.problem });
        const { callId, agentId, teamId, speakers } = params.value;
        const call = callFor(tenant, callId);
        const started = ctx.registry.start(tenant, { type: 'call.start', callId, agentId, ...(teamId ? { teamId } : {}) }, call.owner);
        if (!started.ok) return reply.code(started.code === 'call_exists' ? 409 : 503).send({ error: started.code, message: started.message });
        try {
          const result = twilio.adapt(request.body, { callId, speakers, state: call.state });
          if (!result.ok) return reply.code(400).send({ error: 'invalid_message', message: result.error });
          for (const chunk of result.chunks) {
            const outcome = ingestChunk(ctx, tenant, chunk, arrival);
            if (!outcome.ok) return reply.code(400).send({ error: outcome.code, message: outcome.message });
          }
          if (request.body.TranscriptionEvent === 'transcription-stopped') void ctx.registry.end(tenant, callId);
          return { status: 'accepted' as const, chunks: result.chunks.length };
        } finally {
          ctx.registry.release(call.owner);
        }
      },
    );
  });
}
