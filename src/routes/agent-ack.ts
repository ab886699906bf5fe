import type { AgentAck } from '../protocol/common.js';
import type { Refusal } from '../protocol/errors.js';
import type { IngestAck } from '../protocol/ingest-messages.js';
import type { CallRef } from '../state/call-state.js';
import type { ServiceContext } from './context.js';
import type { WsChannel } from './ws-channel.js';

/** A route's own reason to turn an ack for the call away, if it has one. */
type AckRule = (call: CallRef) => Promise<Refusal | undefined>;

/**
 * Answers an agent.ack on either WebSocket: applied here if this instance drives the call, else
 * kept in the shared store for the instance that does (see CallIngest.acknowledgeAnywhere), once
 * the route's `rule` lets it through. `unavailable` when the shared store cannot be reached.
 */
export function answerAgentAck(
  ctx: ServiceContext,
  channel: WsChannel,
  tenant: string,
  message: AgentAck,
  rule: AckRule,
): void {
  const call = { tenant, callId: message.callId };
  const acknowledged = async () => (await rule(call)) ?? (await ctx.ingest.acknowledgeAnywhere(call, message));
  acknowledged().then(
    (outcome) => {
      if (!outcome.ok) return channel.refuse(outcome, message.id);
      channel.send({
        type: 'ack',
        of: 'agent.ack',
        ...(message.id !== undefined ? { id: message.id } : {}),
        callId: message.callId,
        status: 'accepted',
      } satisfies IngestAck);
    },
    (error: unknown) => channel.unavailable(error, message.id),
  );
}
