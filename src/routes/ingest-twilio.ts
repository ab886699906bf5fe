import fastifyFormbody from '@fastify/formbody';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { twilio } from '../adapters/twilio.js';
import { isValidTwilioSignature, type SignedParams } from '../adapters/twilio-signature.js';
import { requireScope } from '../auth/guard.js';
import { callInfo } from '../calls/call-ingest.js';
import { arrivalNow } from '../calls/call-session.js';
import { HttpError, refusal } from '../protocol/errors.js';
import type { ServiceContext } from './context.js';
import { sendRefusal } from './http-errors.js';
import { rejectWhileDraining } from './ingest.js';
import { parseProviderQuery } from './ingest-query.js';

const TwilioAccepted = Type.Object({
  status: Type.Literal('accepted'),
  chunks: Type.Integer(),
  /** Why a valid webhook gave no transcript (e.g. retried_webhook); also counted in /metrics. */
  dropped: Type.Optional(Type.Array(Type.String())),
});

type Query = Record<string, string | undefined>;

/**
 * The URL Twilio requested and signed, as far as this server can tell: behind a proxy listed in
 * TRUST_PROXY, from its X-Forwarded-Proto and -Host (Fastify's `protocol` and `host`).
 */
const requestedUrl = (request: FastifyRequest): string => `${request.protocol}://${request.host}${request.url}`;

/**
 * Twilio real-time transcription calls one webhook per transcript piece (its statusCallbackUrl,
 * POST with a form body or GET with a query) instead of streaming, so each call lives across many
 * requests:   POST|GET /v1/ingest/twilio?callId=..&agentId=..[&teamId=..][&speakers=inbound_track:customer,..]
 * A call starts with its first webhook and ends on `transcription-stopped`, or, if that never
 * comes, ORPHAN_CALL_TIMEOUT_MS after the last webhook (the registry's orphan timer). A tenant
 * with a Twilio auth token configured (TWILIO_AUTH_TOKENS) has every webhook's X-Twilio-Signature
 * checked against it, and its webhooks' calls take nothing from other producers (the registry).
 */
export async function registerTwilioIngest(app: FastifyInstance, ctx: ServiceContext): Promise<void> {
  const handle = async (
    request: FastifyRequest<{ Querystring: Query }>,
    reply: FastifyReply,
    webhook: Record<string, unknown>,
    signed: SignedParams,
  ) => {
    const arrival = arrivalNow();
    const tenant = request.principal!.tenant;
    const authToken = ctx.config.twilioAuthTokens.get(tenant);
    if (
      authToken !== undefined &&
      !isValidTwilioSignature(
        authToken,
        request.headers['x-twilio-signature'] as string | undefined,
        requestedUrl(request),
        signed,
      )
    ) {
      return sendRefusal(
        reply,
        refusal(
          'forbidden',
          'X-Twilio-Signature: missing or not valid for this URL and body with the tenant’s Twilio auth token',
        ),
      );
    }
    const parsed = parseProviderQuery(request.query);
    if (!parsed.ok) return sendRefusal(reply, parsed);
    const call = callInfo(tenant, parsed.params);
    // Checked above: the webhook is signed, and the call it feeds takes only signed webhooks.
    const signedWebhook = authToken !== undefined;
    // Stands for "a webhook is being handled" among the call's owners; answered only once the call is this instance's.
    const owner = {};
    try {
      const started = await ctx.ingest.start(call, owner, { signedWebhook });
      const opened = started.ok
        ? ctx.ingest.webhookLeg(call, { adapter: twilio, speakers: parsed.params.speakers, signed: signedWebhook })
        : started;
      const fed = opened.ok ? opened.leg.feed(webhook, arrival) : opened;
      if (!fed.ok) return sendRefusal(reply, fed);
      if (fed.refused[0]) return sendRefusal(reply, fed.refused[0]);
      if (webhook.TranscriptionEvent === 'transcription-stopped') ctx.ingest.end(call);
      const { chunks, dropped } = fed;
      return { status: 'accepted' as const, chunks, ...(dropped.length ? { dropped } : {}) };
    } finally {
      ctx.ingest.release(owner);
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
