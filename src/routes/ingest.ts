import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { adapterFor, ADAPTERS, DEFAULT_FORMAT } from '../adapters/index.js';
import { requireScope } from '../auth/guard.js';
import { arrivalNow, type Arrival } from '../calls/call-session.js';
import type { ServiceContext } from './context.js';
import { handleNativeMessage } from './ingest-native.js';
import { ProviderCall, parseProviderQuery } from './ingest-provider.js';
import { idOf, WsChannel } from './ws-channel.js';

type Query = { format?: string; token?: string } & Record<string, string | undefined>;

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
      const channel = new WsChannel(socket, 'ingest', {
        metrics: ctx.metrics,
        log: request.log,
        ratePerSec: config.ingestRatePerSec,
        burst: config.ingestBurst,
        maxBufferedBytes: config.producerMaxBufferedBytes,
        heartbeatMs: config.wsHeartbeatMs,
      });
      socket.once('close', () => ctx.registry.release(socket));
      const format = request.query.format ?? DEFAULT_FORMAT;
      const guarded = (handle: (raw: unknown, arrival: Arrival) => void) => (raw: unknown) => {
        const arrival = arrivalNow();
        if (ctx.lifecycle.draining)
          return channel.error(
            'shutting_down',
            'the service is shutting down; reconnect to another instance',
            idOf(raw),
          );
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

async function rejectUnknownFormat(
  request: FastifyRequest<{ Querystring: Query }>,
  reply: FastifyReply,
): Promise<void> {
  const format = request.query.format;
  if (format !== undefined && format !== DEFAULT_FORMAT && !ADAPTERS.has(format)) {
    await reply.code(400).send({
      error: 'bad_request',
      message: `format: unknown format "${format}"; expected one of ${[...ADAPTERS.keys()].join(', ')}`,
    });
  }
}

export function rejectWhileDraining(ctx: ServiceContext) {
  return async (_request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (ctx.lifecycle.draining)
      await reply.code(503).send({ error: 'shutting_down', message: 'the service is shutting down' });
  };
}
