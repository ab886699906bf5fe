import fastifyFormbody from '@fastify/formbody';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CallAdapterState } from '../adapters/index.js';
import type { DropReason } from '../adapters/call-state.js';
import { callKey } from '../state/call-state.js';
import { twilio } from '../adapters/twilio.js';
import { isValidTwilioSignature, type SignedParams } from '../adapters/twilio-signature.js';
import { requireScope } from '../auth/guard.js';
import { arrivalNow } from '../calls/call-session.js';
import { HttpError } from '../protocol/classify.js';
import type { ServiceContext } from './context.js';
import { parseProviderQuery } from './ingest-provider.js';
import { ingestChunk } from './ingest-native.js';
import { rejectWhileDraining } from './ingest.js';

const TwilioAccepted = Type.Object({
  status: Type.Literal('accepted'),
  chunks: Type.Integer(),
  /** Why a valid webhook gave no transcript (e.g. retried_webhook); also counted in /metrics. */
  dropped: Type.Optional(Type.Array(Type.String())),
});

type Query = Record<string, string | undefined>;

interface TwilioCall {
  tenant: string;
  callId: string;
  state: CallAdapterState;
  /** Stands for "a webhook is being handled" in the registry's owner set. */
  owner: object;
}

/** The URL Twilio requested and signed, as far as this server can tell (a proxy passes X-Forwarded-Proto/-Host). */
function requestedUrl(request: FastifyRequest): string {
  const header = (name: string): string | undefined => {
    const value = request.headers[name];
    return (Array.isArray(value) ? value[0] : value)?.split(',')[0]?.trim();
  };
  return `${header('x-forwarded-proto') ?? request.protocol}://${header('x-forwarded-host') ?? request.headers.host ?? request.hostname}${request.url}`;
}

/**
 * Twilio real-time transcription calls one webhook per transcript piece (its statusCallbackUrl,
 * POST with a form body or GET with a query) instead of streaming, so each call lives across many
 * requests:   POST|GET /v1/ingest/twilio?callId=..&agentId=..[&teamId=..][&speakers=inbound_track:customer,..]
 * A call starts with its first webhook and ends on `transcription-stopped`, or, if that never
 * comes, ORPHAN_CALL_TIMEOUT_MS after the last webhook (the registry's orphan timer). A tenant
 * with a Twilio auth token configured (TWILIO_AUTH_TOKENS) has every webhook's X-Twilio-Signature
 * checked against it.
 */
export async function registerTwilioIngest(app: FastifyInstance, ctx: ServiceContext): Promise<void> {
  const calls = new Map<string, TwilioCall>();
  const callFor = (tenant: string, callId: string): TwilioCall => {
    const key = callKey({ tenant, callId });
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

  const handle = async (
    request: FastifyRequest<{ Querystring: Query }>,
    reply: FastifyReply,
    webhook: Record<string, unknown>,
    signed: SignedParams,
  ) => {
    const arrival = arrivalNow();
    const tenant = request.principal!.tenant;
    const authToken = ctx.config.twilioAuthTokens[tenant];
    if (
      authToken !== undefined &&
      !isValidTwilioSignature(
        authToken,
        request.headers['x-twilio-signature'] as string | undefined,
        requestedUrl(request),
        signed,
      )
    ) {
      return reply.code(403).send({
        error: 'forbidden',
        message: 'X-Twilio-Signature: missing or not valid for this URL and body with the tenant’s Twilio auth token',
      });
    }
    const params = parseProviderQuery(request.query);
    if (!params.ok) return reply.code(400).send({ error: 'invalid_message', message: params.problem });
    const { callId, agentId, teamId, speakers } = params.value;
    const call = callFor(tenant, callId);
    const started = ctx.registry.start(
      tenant,
      { type: 'call.start', callId, agentId, ...(teamId ? { teamId } : {}) },
      call.owner,
    );
    if (!started.ok)
      return reply
        .code(started.code === 'call_exists' ? 409 : 503)
        .send({ error: started.code, message: started.message });
    try {
      const result = twilio.adapt(webhook, { callId, speakers, state: call.state });
      if (!result.ok) return reply.code(400).send({ error: 'invalid_message', message: result.error });
      const dropped: DropReason[] = [...(result.dropped ?? [])];
      for (const chunk of result.chunks) {
        const outcome = ingestChunk(ctx, tenant, chunk, arrival);
        if (!outcome.ok) return reply.code(400).send({ error: outcome.code, message: outcome.message });
        if (outcome.status !== 'accepted') dropped.push('duplicate');
      }
      for (const reason of dropped) ctx.metrics.providerDrops.inc({ format: twilio.name, reason });
      if (webhook.TranscriptionEvent === 'transcription-stopped') void ctx.registry.end(tenant, callId);
      return { status: 'accepted' as const, chunks: result.chunks.length, ...(dropped.length ? { dropped } : {}) };
    } finally {
      ctx.registry.release(call.owner);
    }
  };

  const options = {
    schema: { response: { 200: TwilioAccepted, '4xx': HttpError, '5xx': HttpError } },
    preValidation: [requireScope(ctx.tokens, ['ingest']), rejectWhileDraining(ctx)],
  };
  // Form parsing only for this route: the plugin's scope keeps it off every other route.
  await app.register(async (scope) => {
    await scope.register(fastifyFormbody, { bodyLimit: ctx.config.maxPayloadBytes });
    scope.post<{ Querystring: Query }>('/v1/ingest/twilio', options, (request, reply) => {
      const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Record<
        string,
        string | string[]
      >;
      return handle(request, reply, body, body);
    });
    // statusCallbackMethod="GET": the webhook's fields come in the query, beside the call's own parameters, and are signed as part of the URL.
    scope.get<{ Querystring: Query }>('/v1/ingest/twilio', options, (request, reply) =>
      handle(request, reply, request.query, {}),
    );
  });
}
