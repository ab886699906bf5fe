import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { refusedCall, refusedScope } from '../auth/agent-binding.js';
import { noLiveCall } from '../calls/call-ingest.js';
import { requireScope } from '../auth/guard.js';
import type { Principal } from '../auth/tokens.js';
import { AgentAck, TokenQuery } from '../protocol/common.js';
import type { Refusal } from '../protocol/errors.js';
import type { CallRef } from '../state/call-state.js';
import {
  AlertClaim,
  Subscribe,
  SubscriberMessage,
  Unsubscribe,
  type Subscribed,
} from '../protocol/subscribe-messages.js';
import type { SubscriberEvent } from '../protocol/subscribe-messages.js';
import { frameValidator } from '../protocol/validator.js';
import type { ServiceContext } from './context.js';
import { rejectWhileDraining } from './ingest.js';
import { answerAgentAck } from './agent-ack.js';
import { idOf, WsChannel } from './ws-channel.js';

const parseSubscriber = frameValidator(SubscriberMessage, {
  subscribe: Subscribe,
  unsubscribe: Unsubscribe,
  'agent.ack': AgentAck,
  'alert.claim': AlertClaim,
});

const MAX_SUBSCRIPTIONS_PER_CONNECTION = 64;

class SubscriberConnection {
  private readonly subscriptions = new Set<string>();
  /** Subscriptions asked for whose replay is still being read. */
  private opening = 0;
  private closed = false;
  /** One sink for all of the connection's subscriptions: overlapping scopes still deliver each event once. */
  private readonly deliver = (event: SubscriberEvent): void => this.channel.send(event);

  constructor(
    private readonly ctx: ServiceContext,
    private readonly channel: WsChannel,
    private readonly principal: Principal,
  ) {
    channel.socket.once('close', () => this.dropAll());
  }

  handle(raw: unknown): void {
    const parsed = parseSubscriber(raw);
    if (!parsed.ok) return this.channel.refuse(parsed, idOf(raw));
    const message = parsed.value;
    const id = message.id !== undefined ? { id: message.id } : {};
    switch (message.type) {
      case 'subscribe':
        return this.subscribe(message);
      case 'unsubscribe':
        if (!this.subscriptions.delete(message.subscriptionId)) {
          return this.channel.error(
            'invalid_message',
            `subscriptionId: no subscription ${message.subscriptionId} on this connection`,
            message.id,
          );
        }
        this.ctx.hub.unsubscribe(message.subscriptionId);
        return this.channel.send({ type: 'unsubscribed', ...id, subscriptionId: message.subscriptionId });
      case 'agent.ack':
        return answerAgentAck(this.ctx, this.channel, this.principal.tenant, message, {
          here: (info) => refusedCall(this.principal, info, 'callId'),
          elsewhere: (call) => this.refusedAckElsewhere(call),
        });
      case 'alert.claim': {
        if (!this.principal.scopes.has('supervise'))
          return this.channel.error('forbidden', 'alert.claim needs the supervise scope', message.id);
        this.ctx.hub.claimAlert(this.principal.tenant, message.callId, message.seq, this.principal.name).then(
          (claim) => {
            if (!claim.ok) return this.channel.refuse(claim, message.id);
            this.channel.send({ type: 'ack', of: 'alert.claim', ...id, callId: message.callId, status: 'accepted' });
          },
          (error: unknown) => this.channel.unavailable(error, message.id),
        );
        return;
      }
    }
  }

  /** A token bound to an agent acks only that agent's calls, also those another instance drives (its agent as the shared directory knows it). */
  private async refusedAckElsewhere(call: CallRef): Promise<Refusal | undefined> {
    if (this.principal.agentId === undefined) return undefined;
    const info = await this.ctx.hub.callInfo(call.tenant, call.callId);
    // A call the directory does not know is not acked: one of another agent starting meanwhile would take it.
    return info ? refusedCall(this.principal, info, 'callId') : noLiveCall(call);
  }

  private subscribe(message: Subscribe): void {
    const wide = 'teamId' in message.scope || 'tenant' in message.scope;
    if (wide && !this.principal.scopes.has('supervise')) {
      return this.channel.error(
        'forbidden',
        'scope: team and tenant subscriptions need the supervise scope',
        message.id,
      );
    }
    const refused = refusedScope(this.principal, message.scope);
    if (refused) return this.channel.refuse(refused, message.id);
    if (this.subscriptions.size + this.opening >= MAX_SUBSCRIPTIONS_PER_CONNECTION) {
      return this.channel.error(
        'invalid_message',
        `scope: at most ${MAX_SUBSCRIPTIONS_PER_CONNECTION} subscriptions per connection`,
        message.id,
      );
    }
    this.opening++;
    this.open(message)
      .catch((error: unknown) => this.channel.unavailable(error, message.id))
      .finally(() => this.opening--);
  }

  private async open(message: Subscribe): Promise<void> {
    const { tenant, agentId } = this.principal;
    const { scope } = message;
    const id = message.id !== undefined ? { id: message.id } : {};
    if (agentId !== undefined && 'callId' in scope) {
      // The call's agent as the shared directory knows it; one not started yet is followed, its events filtered by agent.
      const call = await this.ctx.hub.callInfo(tenant, scope.callId);
      const refused = call && refusedCall(this.principal, call, 'scope.callId');
      if (refused) return this.channel.refuse(refused, message.id);
    }
    const options = { transcript: message.transcript ?? false, resume: message.resume ?? {}, boundAgent: agentId };
    const { subscriptionId, calls, replay, start } = await this.ctx.hub.subscribe(tenant, scope, this.deliver, options);
    if (this.closed) return void this.ctx.hub.unsubscribe(subscriptionId);
    this.subscriptions.add(subscriptionId);
    this.channel.send({ type: 'subscribed', ...id, subscriptionId, calls } satisfies Subscribed);
    for (const event of replay) this.deliver(event);
    start();
  }

  private dropAll(): void {
    this.closed = true;
    for (const id of this.subscriptions) this.ctx.hub.unsubscribe(id);
    this.subscriptions.clear();
  }
}

export function registerSubscribe(app: FastifyInstance, ctx: ServiceContext): void {
  app.get(
    '/v1/subscribe',
    {
      websocket: true,
      preValidation: [requireScope(ctx.tokens, ['subscribe', 'supervise']), rejectWhileDraining(ctx)],
      preHandler: ctx.connections.admit('subscribe'),
      schema: { querystring: TokenQuery },
    },
    (socket: WebSocket, request: FastifyRequest) => {
      const { config } = ctx;
      // A subscriber that cannot keep up is closed (1013) rather than buffered without bound; it resumes from its last seq.
      const channel = new WsChannel(socket, 'subscribe', {
        metrics: ctx.metrics,
        request,
        ratePerSec: config.subscribeRatePerSec,
        burst: config.subscribeBurst,
        maxBufferedBytes: config.subscriberMaxBufferedBytes,
        heartbeatMs: config.wsHeartbeatMs,
      });
      const connection = new SubscriberConnection(ctx, channel, request.principal!);
      channel.onMessage((raw) => connection.handle(raw));
    },
  );
}
