import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { adapterFor, DEFAULT_FORMAT } from '../adapters/index.js';
import { requireScope } from '../auth/guard.js';
import { arrivalNow, type Arrival } from '../calls/call-session.js';
import { refusal } from '../protocol/errors.js';
import type { ServiceContext } from './context.js';
import { sendRefusal } from './http-errors.js';
import { handleNativeMessage } from './ingest-native.js';
import { openProviderConnection } from './ingest-provider.js';
import { IngestQuery } from './ingest-query.js';
import { idOf, WsChannel } from './ws-channel.js';

export function registerIngest(app: FastifyInstance, ctx: ServiceContext): void {
  const { config } = ctx;
  app.get<{ Querystring: IngestQuery }>(
    '/v1/ingest',
    {
      websocket: true,
      preValidation: [requireScope(ctx.tokens, ['ingest']), rejectWhileDraining(ctx)],
      preHandler: ctx.connections.admit('ingest'),
      schema: { querystring: IngestQuery },
    },
    (socket: WebSocket, request: FastifyRequest<{ Querystring: IngestQuery }>) => {
      const tenant = request.principal!.tenant;
      const channel = new WsChannel(socket, 'ingest', {
        metrics: ctx.metrics,
        request,
        ratePerSec: config.ingestRatePerSec,
        burst: config.ingestBurst,
        maxBufferedBytes: config.producerMaxBufferedBytes,
        heartbeatMs: config.wsHeartbeatMs,
        tenantBudget: ctx.ingestBudget,
      });
      socket.once('close', () => ctx.ingest.release(socket));
      const format = request.query.format ?? DEFAULT_FORMAT;
      const handle =
        format === DEFAULT_FORMAT
          ? (raw: unknown, arrival: Arrival) => handleNativeMessage(ctx, channel, tenant, raw, arrival)
          : openProviderConnection(ctx, channel, tenant, adapterFor(format)!, request.query);
      if (!handle) return;
      channel.onMessage((raw) => {
        const arrival = arrivalNow();
        if (ctx.lifecycle.draining)
          return channel.error(
            'shutting_down',
            'the service is shutting down; reconnect to another instance',
            idOf(raw),
          );
        return handle(raw, arrival);
      });
    },
  );
}

export function rejectWhileDraining(ctx: ServiceContext) {
  return async (_request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (ctx.lifecycle.draining) await sendRefusal(reply, refusal('shutting_down', 'the service is shutting down'));
  };
}
