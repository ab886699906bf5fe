import type { Arrival } from '../calls/call-session.js';
import { AgentAck, type ErrorCode } from '../protocol/common.js';
import {
  CallEnd,
  CallStart,
  IngestMessage,
  TranscriptMessage,
  type AckStatus,
  type IngestAck,
} from '../protocol/ingest-messages.js';
import { TranscriptChunk } from '../protocol/transcript-chunk.js';
import { frameValidator, validator } from '../protocol/validator.js';
import type { ServiceContext } from './context.js';
import { idOf, WsChannel } from './ws-channel.js';

const parseIngest = frameValidator(IngestMessage, {
  'call.start': CallStart,
  transcript: TranscriptMessage,
  'call.end': CallEnd,
  'agent.ack': AgentAck,
});

/**
 * Handles one producer connection in the service's own format: many calls may share it.
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
  if (!parsed.ok) return channel.error('invalid_message', parsed.problem, idOf(raw));
  const message = parsed.value;
  const ack = (callId: string, status: AckStatus = 'accepted', seq?: number): void =>
    channel.send({
      type: 'ack',
      of: message.type,
      callId,
      status,
      ...(message.id !== undefined ? { id: message.id } : {}),
      ...(seq !== undefined ? { seq } : {}),
    } satisfies IngestAck);
  switch (message.type) {
    case 'call.start': {
      const started = ctx.registry.start(tenant, message, channel.socket);
      if (!started.ok) return channel.error(started.code, started.message, message.id);
      // Acknowledged once this instance holds the call (with Redis: once a dead owner's lease has run out).
      void started.session.opened.then((call) =>
        call
          ? ack(message.callId)
          : channel.error('call_exists', `callId: call ${message.callId} is driven by another instance`, message.id),
      );
      return;
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
      const session = ctx.registry.active(tenant, message.callId);
      if (!session) return unknownCall(channel, message.callId, message.id);
      session.acknowledge(message.step);
      return ack(message.callId);
    }
  }
}

export type ChunkOutcome = { ok: true; status: AckStatus } | { ok: false; code: ErrorCode; message: string };

const checkChunk = validator(TranscriptChunk);

/**
 * Hands one chunk to its live call; the caller reports the outcome in its transport's terms.
 * Chunks that provider adapters built are held to the same bounds as the native format's.
 */
export function ingestChunk(
  ctx: ServiceContext,
  tenant: string,
  chunk: TranscriptChunk,
  arrival: Arrival,
): ChunkOutcome {
  const checked = checkChunk(chunk);
  if (!checked.ok) return { ok: false, code: 'invalid_message', message: `chunk.${checked.problem}` };
  const session = ctx.registry.active(tenant, chunk.callId);
  if (!session) return { ok: false, code: 'unknown_call', message: unknownCallMessage(chunk.callId) };
  if (chunk.endMs < chunk.startMs)
    return { ok: false, code: 'invalid_message', message: 'chunk.endMs: must not be before startMs' };
  return { ok: true, status: session.ingest(chunk, arrival) };
}

const unknownCallMessage = (callId: string): string => `callId: no live call ${callId}; send call.start first`;

const unknownCall = (channel: WsChannel, callId: string, id: string | undefined): void =>
  channel.error('unknown_call', unknownCallMessage(callId), id);
