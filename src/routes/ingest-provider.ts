import type { TranscriptAdapter, SpeakerMap, SpeakerAssignment } from '../adapters/index.js';
import { CallAdapterState } from '../adapters/index.js';
import type { Arrival } from '../calls/call-session.js';
import type { ServiceContext } from './context.js';
import { handleNativeMessage, ingestChunk } from './ingest.js';
import type { WsChannel } from './ws-channel.js';

export interface ProviderParams {
  callId: string;
  agentId: string;
  teamId?: string;
  stream?: string;
  speakers: SpeakerMap;
}

const ID = /^[^\s]{1,128}$/;
const ASSIGNMENTS: readonly string[] = ['customer', 'agent', 'ignore'];

/**
 * A provider-format connection carries one call, named in the query:
 * `?format=deepgram&callId=..&agentId=..[&teamId=..][&stream=customer][&speakers=0:customer,1:agent]`.
 */
export function parseProviderQuery(query: Record<string, string | undefined>): { ok: true; value: ProviderParams } | { ok: false; problem: string } {
  for (const name of ['callId', 'agentId'] as const) {
    const value = query[name];
    if (value === undefined || !ID.test(value)) return { ok: false, problem: `${name}: required query parameter for provider formats (1-128 characters, no spaces)` };
  }
  for (const name of ['teamId', 'stream'] as const) {
    const value = query[name];
    if (value !== undefined && !ID.test(value)) return { ok: false, problem: `${name}: 1-128 characters, no spaces` };
  }
  const speakers: Record<string, SpeakerAssignment> = {};
  for (const pair of query.speakers?.split(',').filter(Boolean) ?? []) {
    const at = pair.lastIndexOf(':');
    const source = pair.slice(0, at);
    const who = pair.slice(at + 1);
    if (at <= 0 || !ASSIGNMENTS.includes(who)) return { ok: false, problem: `speakers: "${pair}" should be source:customer, source:agent or source:ignore` };
    speakers[source] = who as SpeakerAssignment;
  }
  const { teamId, stream } = query;
  return { ok: true, value: { callId: query.callId!, agentId: query.agentId!, ...(teamId ? { teamId } : {}), ...(stream ? { stream } : {}), speakers } };
}

/** Call-control messages in the service's own format, accepted on provider connections too. */
const CONTROL_TYPES = new Set(['call.end', 'agent.ack']);

export class ProviderCall {
  private readonly state = new CallAdapterState();

  constructor(
    private readonly ctx: ServiceContext,
    private readonly channel: WsChannel,
    private readonly tenant: string,
    private readonly adapter: TranscriptAdapter,
    private readonly params: ProviderParams,
  ) {}

  /** Opens (or joins) the call; false, with the socket closed, if it cannot. */
  start(): boolean {
    const { callId, agentId, teamId } = this.params;
    const started = this.ctx.registry.start(this.tenant, { type: 'call.start', callId, agentId, ...(teamId ? { teamId } : {}) }, this.channel.socket);
    if (started.ok) return true;
    this.channel.error(started.code, started.message);
    this.channel.socket.close(1008, started.code);
    return false;
  }

  handle(raw: unknown, arrival: Arrival): void {
    const type = (raw as { type?: unknown } | null)?.type;
    if (typeof type === 'string' && CONTROL_TYPES.has(type)) return handleNativeMessage(this.ctx, this.channel, this.tenant, raw, arrival);
    const result = this.adapter.adapt(raw, {
      callId: this.params.callId,
      speakers: this.params.speakers,
      ...(this.params.stream !== undefined ? { stream: this.params.stream } : {}),
      state: this.state,
    });
    if (!result.ok) return this.channel.error('invalid_message', result.error);
    for (const chunk of result.chunks) {
      const outcome = ingestChunk(this.ctx, this.tenant, chunk, arrival);
      if (!outcome.ok) this.channel.error(outcome.code, outcome.message);
    }
  }
}
