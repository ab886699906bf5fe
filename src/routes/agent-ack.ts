import { whenAnswered } from '../calls/call-ingest.js';
import type { AgentAck } from '../protocol/common.js';
import type { Outcome, Refusal } from '../protocol/errors.js';
import type { IngestAck } from '../protocol/ingest-messages.js';
import type { CallInfo, CallRef } from '../state/call-state.js';
import type { ServiceContext } from './context.js';
import type { WsChannel } from './ws-channel.js';

/**
 * A route's own reasons to turn an ack away: for a call this instance has, decided at once (the ack
 * keeps its place among the connection's messages), and for one it has not, read from the shared state.
 */
export interface AckRule {
  here(info: CallInfo): Refusal | undefined;
  elsewhere(call: CallRef): Promise<Refusal | undefined>;
}

/**
 * Answers an agent.ack on either WebSocket, once the route's `rule` lets it through: applied here
 * if this instance has the call (answered at once when it is open here), else kept in the shared
 * store for the instance that drives it (CallIngest.acknowledgeElsewhere). `unavailable` when the
 * shared store cannot be reached.
 */
export function answerAgentAck(
  ctx: ServiceContext,
  channel: WsChannel,
  tenant: string,
  message: AgentAck,
  rule: AckRule,
): void {
  const call = { tenant, callId: message.callId };
  const answer = (outcome: Outcome): void => {
    if (!outcome.ok) return channel.refuse(outcome, message.id);
    channel.send({
      type: 'ack',
      of: 'agent.ack',
      ...(message.id !== undefined ? { id: message.id } : {}),
      callId: message.callId,
      status: 'accepted',
    } satisfies IngestAck);
  };
  const unavailable = (error: unknown): void => channel.unavailable(error, message.id);
  const elsewhere = async (): Promise<Outcome> =>
    (await rule.elsewhere(call)) ?? (await ctx.ingest.acknowledgeElsewhere(call, message));
  const info = ctx.ingest.live(call);
  const here = info && (rule.here(info) ?? ctx.ingest.acknowledgeHere(call, message));
  if (here === undefined) return void elsewhere().then(answer, unavailable);
  // Answered in the same turn as the chunks the opening call took around it, so in their order.
  whenAnswered(here, (outcome) => (outcome ? answer(outcome) : void elsewhere().then(answer, unavailable)));
}
