import { Type, type Static } from '@sinclair/typebox';
import { oneOf } from './one-of.js';
import { TranscriptChunk } from './transcript-chunk.js';
import { AgentAck, Id, RequestId } from './common.js';

export const CallStart = Type.Object(
  {
    type: Type.Literal('call.start'),
    id: RequestId,
    callId: Id('Unique per tenant while the call is live.'),
    agentId: Id('The agent taking the call.'),
    teamId: Type.Optional(Id('The agent’s team, for supervisor subscriptions.')),
    metadata: Type.Optional(
      // A key's limits hold only as a pattern: TypeBox checks the keys of a record by pattern alone.
      Type.Record(Type.String({ pattern: '^[\\s\\S]{1,64}$' }), Type.String({ maxLength: 256 }), {
        maxProperties: 32,
        additionalProperties: false,
      }),
    ),
  },
  { additionalProperties: false },
);
export type CallStart = Static<typeof CallStart>;

export const TranscriptMessage = Type.Object(
  { type: Type.Literal('transcript'), id: RequestId, chunk: TranscriptChunk },
  { additionalProperties: false },
);
export type TranscriptMessage = Static<typeof TranscriptMessage>;

export const CallEnd = Type.Object(
  { type: Type.Literal('call.end'), id: RequestId, callId: Id('The call to close.') },
  { additionalProperties: false },
);
export type CallEnd = Static<typeof CallEnd>;

/** Every message a producer sends on /v1/ingest in the service's own format. */
export const IngestMessage = Type.Union([CallStart, TranscriptMessage, CallEnd, AgentAck]);
export type IngestMessage = Static<typeof IngestMessage>;

export const AckStatus = oneOf(['accepted', 'duplicate', 'stale']);
export type AckStatus = Static<typeof AckStatus>;

export const IngestAck = Type.Object({
  type: Type.Literal('ack'),
  id: Type.Optional(Type.String()),
  of: oneOf(['call.start', 'transcript', 'call.end', 'agent.ack', 'alert.claim']),
  callId: Type.String(),
  seq: Type.Optional(Type.Integer({ description: 'The chunk’s seq, for transcript acks.' })),
  status: AckStatus,
});
export type IngestAck = Static<typeof IngestAck>;
