import { callInfo, whenAnswered, type Answer } from '../calls/call-ingest.js';
import type { Arrival } from '../calls/call-session.js';
import { AgentAck } from '../protocol/common.js';
import type { Outcome } from '../protocol/errors.js';
import {
  CallEnd,
  CallStart,
  IngestMessage,
  TranscriptMessage,
  type AckStatus,
  type IngestAck,
} from '../protocol/ingest-messages.js';
import { frameValidator } from '../protocol/validator.js';
import { answerAgentAck } from './agent-ack.js';
import type { ServiceContext } from './context.js';
import { idOf, type WsChannel } from './ws-channel.js';

const parseIngest = frameValidator(IngestMessage, {
  'call.start': CallStart,
  transcript: TranscriptMessage,
  'call.end': CallEnd,
  'agent.ack': AgentAck,
});

/**
 * Handles one message in the service's own format; one connection may carry many calls.
 * Replies: an ack for every accepted message, an error naming the problem otherwise.
 */
export function handleNativeMessage(
  ctx: ServiceContext,
  channel: WsChannel,
  tenant: string,
  raw: unknown,
  arrival: Arrival,
): void {
  const parsed = parseIngest(raw);
  if (!parsed.ok) return channel.refuse(parsed, idOf(raw));
  const message = parsed.value;
  // A call.start is the registry's to refuse: it decides, at once, whether the start joins a live call.
  // An agent.ack may name a call driven by another instance: answerAgentAck asks the shared state.
  if (message.type === 'transcript' || message.type === 'call.end') {
    const callId = message.type === 'transcript' ? message.chunk.callId : message.callId;
    const unsigned = ctx.ingest.refuseUnsigned({ tenant, callId });
    if (unsigned) return channel.refuse(unsigned, message.id);
  }
  const answer = (outcome: Outcome<{ status?: AckStatus }>, callId: string, seq?: number): void => {
    if (!outcome.ok) return channel.refuse(outcome, message.id);
    channel.send({
      type: 'ack',
      of: message.type,
      callId,
      status: outcome.status ?? 'accepted',
      ...(message.id !== undefined ? { id: message.id } : {}),
      ...(seq !== undefined ? { seq } : {}),
    } satisfies IngestAck);
  };
  // A chunk or call.end the call took while it opens here is answered once it is open.
  const answerOnceOpen = (outcome: Answer<{ status?: AckStatus }>, callId: string, seq?: number): void =>
    whenAnswered(outcome, (opened) => answer(opened, callId, seq));
  switch (message.type) {
    case 'call.start':
      // Acknowledged once this instance holds the call (with Redis: once a dead owner's lease has run out).
      void ctx.ingest
        .start(callInfo(tenant, message), channel.socket)
        .then((started) => answer(started, message.callId));
      return;
    case 'transcript':
      return answerOnceOpen(ctx.ingest.chunk(tenant, message.chunk, arrival), message.chunk.callId, message.chunk.seq);
    case 'call.end':
      return answerOnceOpen(ctx.ingest.end({ tenant, callId: message.callId }), message.callId);
    case 'agent.ack':
      return answerAgentAck(ctx, channel, tenant, message, {
        here: (info) => ctx.ingest.refuseUnsigned(info),
        elsewhere: (call) => ctx.ingest.refuseUnsignedAnywhere(call),
      });
  }
}
