import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { adapterFor, ADAPTERS, DEFAULT_FORMAT } from '../adapters/index.js';
import { requireScope } from '../auth/guard.js';
import { arrivalNow, type Arrival } from '../calls/call-session.js';
import { AgentAck, type ErrorCode } from '../protocol/common.js';
import { CallEnd, CallStart, IngestMessage, TranscriptMessage, type AckStatus, type IngestAck } from '../protocol/ingest-messages.js';
import type { TranscriptChunk } from '../protocol/transcript-chunk.js';
import { frameValidator } from '../protocol/validator.js';
import type { ServiceContext } from './context.js';
import { ProviderCall, parseProviderQuery } from './ingest-provider.js';
import { idOf, WsChannel } from './ws-channel.js';

const parseIngest = frameValidator(IngestMessage, {
  'call.start': CallStart,
  transcript: TranscriptMessage,
  'call.end': CallEnd,
  'agent.ack': AgentAck,
});

type Query = { format?: string; token?: string } & Record<string, string | undefined>;

/**
 * Handles one producer connection in the service's own format: many calls may share it.
 * Replies: an ack for every accepted message, an error naming the problem otherwise.
 */
export function handleNativeMessage(ctx: ServiceContext, channel: WsChannel, tenant: string, raw: unknown, arrival: Arrival): void {
  const parsed = parseIngest(raw);
  if (!parsed.ok) return channel.error('invalid_message', parsed.problem, idOf(raw));
  const message = parsed.value;
  const ack = (callId: string, status: AckStatus = 'accepted', seq?: number): void =>
    channel.send({ type: 'ack', of: message.type, callId, status, ...(message.id !== undefined ? { id: message.id } : {}), ...(seq !== undefined ? { seq } : {}) } satisfies IngestAck);
  switch (message.type) {
    case 'call.start': {
      const started = ctx.registry.start(tenant, message, channel.socket);
      if (!started.ok) return channel.error(started.code, started.message, message.id);
      return ack(message.callId);
    }
    case 'transcript': {
      const outcome = ingestChunk(ctx, tenant, message.chunk, arrival);
      if (!outcome.ok) return channel.error(outcome.code, outcome.message, message.id);
      return ack(message.chunk.callId, outcome.status, message.chunk.seq);
    }
    case 'call.end': {
      if (!ctx.registry.end(tenant, message.callId)) return unknownCall(channel, message.callId, message.id);
      return ack(message.callId);
    }
    case 'agent.ack': {
      const session = ctx.registry.get(tenant, message.callId);
      if (!session) return unknownCall(channel, message.callId, message.id);
      session.acknowledge(message.step);
      return ack(message.callId);
    }
  }
}

export type ChunkOutcome = { ok: true; status: AckStatus } | { ok: false; code: ErrorCode; message: string };

/** Hands one chunk to its live call; the caller reports the outcome in its transport's terms. */
export function ingestChunk(ctx: ServiceContext, tenant: string, chunk: TranscriptChunk, arrival: Arrival): ChunkOutcome {
  const session = ctx.registry.get(tenant, chunk.callId);
  if (!session) return { ok: false, code: 'unknown_call', message: unknownCallMessage(chunk.callId) };
  if (chunk.endMs < chunk.startMs) return { ok: false, code: 'invalid_message', message: 'chunk.endMs: must not be before startMs' };
  return { ok: true, status: session.ingest(chunk, arrival) };
}

const unknownCallMessage = (callId: string): string => `callId: no live call ${callId}; send call.start first`;

const unknownCall = (channel: WsChannel, callId: string, id: string | undefined): void =>
  channel.error('unknown_call', unknownCallMessage(callId), id);

export function registerIngest(app: FastifyInstance, ctx: ServiceContext): void {
  const { config } = ctx;
  app.get<{ Querystring: Query }>(
    '/v1/ingest',
    {
      websocket: true,
      preValidation: [requireScope(ctx.tokens, ['ingest']), rejectUnknownFormat, rejectWhileDraining(ctx)],
    },
    (socket: WebSocket, request: FastifyRequest<{ Querystring: Query }>) => {
      const tenant = request.principal!.tenant;
      const channel = new WsChannel(socket, 'ingest', { metrics: ctx.metrics, log: request.log, ratePerSec: config.ingestRatePerSec, burst: config.ingestBurst });
      socket.once('close', () => ctx.registry.release(socket));
      const format = request.query.format ?? DEFAULT_FORMAT;
      const guarded = (handle: (raw: unknown, arrival: Arrival) => void) => (raw: unknown) => {
        const arrival = arrivalNow();
        if (ctx.lifecycle.draining) return channel.error('shutting_down', 'the service is shutting down; reconnect to another instance', idOf(raw));
        handle(raw, arrival);
      };
      if (format === DEFAULT_FORMAT) {
        channel.onMessage(guarded((raw, arrival) => handleNativeMessage(ctx, channel, tenant, raw, arrival)));
        return;
      }
      const provider = parseProviderQuery(request.query);
      if (!provider.ok) {
        channel.error('invalid_message', provider.problem);
        socket.close(1008, 'bad provider parameters');
        return;
      }
      const call = new ProviderCall(ctx, channel, tenant, adapterFor(format)!, provider.value);
      if (!call.start()) return;
      channel.onMessage(guarded((raw, arrival) => call.handle(raw, arrival)));
    },
  );
}

async function rejectUnknownFormat(request: FastifyRequest<{ Querystring: Query }>, reply: FastifyReply): Promise<void> {
  const format = request.query.format;
  if (format !== undefined && format !== DEFAULT_FORMAT && !ADAPTERS.has(format)) {
    await reply.code(400).send({ error: 'bad_request', message: `format: unknown format "${format}"; expected one of ${[...ADAPTERS.keys()].join(', ')}` });
  }
}

export function rejectWhileDraining(ctx: ServiceContext) {
  return async (_request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (ctx.lifecycle.draining) await reply.code(503).send({ error: 'shutting_down', message: 'the service is shutting down' });
  };
}
