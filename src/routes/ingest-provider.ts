import type { AdapterResult, SpeakerAssignment, SpeakerMap, TranscriptAdapter } from '../adapters/index.js';
import { CallAdapterState } from '../adapters/index.js';
import type { DropReason } from '../adapters/call-state.js';
import { DROP_EXPLANATIONS } from '../adapters/drops.js';
import { arrivalNow, type Arrival } from '../calls/call-session.js';
import { UNPRINTABLE } from '../protocol/common.js';
import type { ProviderNotice } from '../protocol/provider-notice.js';
import type { ServiceContext } from './context.js';
import { handleNativeMessage, ingestChunk } from './ingest-native.js';
import type { WsChannel } from './ws-channel.js';

export interface ProviderParams {
  callId: string;
  agentId: string;
  teamId?: string;
  stream?: string;
  speakers: SpeakerMap;
}

/** 1-128 characters, no spaces, and printable as the protocol's ids are (no control or bidi characters). */
const ID = new RegExp(`^[^\\s${UNPRINTABLE}]{1,128}$`);
const ASSIGNMENTS: readonly string[] = ['customer', 'agent', 'ignore'];

/**
 * A provider-format connection carries one leg of one call, named in the query:
 * `?format=deepgram&callId=..&agentId=..[&teamId=..][&stream=customer][&speakers=0:customer,speaker-1:agent]`.
 */
export function parseProviderQuery(
  query: Record<string, string | undefined>,
): { ok: true; value: ProviderParams } | { ok: false; problem: string } {
  for (const name of ['callId', 'agentId'] as const) {
    const value = query[name];
    if (value === undefined || !ID.test(value))
      return {
        ok: false,
        problem: `${name}: required query parameter for provider formats (1-128 characters, no spaces)`,
      };
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
    if (at <= 0 || !ASSIGNMENTS.includes(who))
      return { ok: false, problem: `speakers: "${pair}" should be source:customer, source:agent or source:ignore` };
    speakers[source] = who as SpeakerAssignment;
  }
  const { teamId, stream } = query;
  return {
    ok: true,
    value: {
      callId: query.callId!,
      agentId: query.agentId!,
      ...(teamId ? { teamId } : {}),
      ...(stream ? { stream } : {}),
      speakers,
    },
  };
}

/** Call-control messages in the service's own format, accepted on provider connections too. */
const CONTROL_TYPES = new Set(['call.end', 'agent.ack']);

/** A connection quiet this long finishes the utterances its adapter is still joining. */
const ASSEMBLY_QUIET_MS = 1500;

/** Numbers the legs, so segment ids of two connections (or one leg reconnecting) never collide. */
let legSerial = 0;

/** The provider connections feeding each live call, so a call.end on one finishes every leg's utterances first. */
const legsByCall = new Map<string, Set<ProviderCall>>();
const callKey = (tenant: string, callId: string): string => `${tenant}\u0000${callId}`;

export class ProviderCall {
  private readonly state: CallAdapterState;
  private readonly reported = new Set<DropReason>();
  private quietTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly channel: WsChannel,
    private readonly tenant: string,
    private readonly adapter: TranscriptAdapter,
    private readonly params: ProviderParams,
  ) {
    legSerial += 1;
    this.state = new CallAdapterState({ leg: `${params.stream ?? 'leg'}-${legSerial}` });
  }

  /** Opens (or joins) the call; false, with the socket closed, if it cannot. */
  start(): boolean {
    const { callId, agentId, teamId } = this.params;
    const started = this.ctx.registry.start(
      this.tenant,
      { type: 'call.start', callId, agentId, ...(teamId ? { teamId } : {}) },
      this.channel.socket,
    );
    if (!started.ok) {
      this.channel.error(started.code, started.message);
      this.channel.socket.close(1008, started.code);
      return false;
    }
    const key = callKey(this.tenant, callId);
    const legs = legsByCall.get(key) ?? new Set();
    legs.add(this);
    legsByCall.set(key, legs);
    this.channel.socket.once('close', () => {
      this.finishUtterances();
      legs.delete(this);
      if (legs.size === 0 && legsByCall.get(key) === legs) legsByCall.delete(key);
    });
    return true;
  }

  handle(raw: unknown, arrival: Arrival): void {
    const type = (raw as { type?: unknown } | null)?.type;
    if (typeof type === 'string' && CONTROL_TYPES.has(type)) {
      if (type === 'call.end')
        for (const leg of legsByCall.get(callKey(this.tenant, this.params.callId)) ?? []) leg.finishUtterances();
      return handleNativeMessage(this.ctx, this.channel, this.tenant, raw, arrival);
    }
    const result = this.adapter.adapt(raw, this.adapterContext());
    if (!result.ok) return this.channel.error('invalid_message', result.error);
    this.deliver(result, arrival);
    this.armQuietTimer();
  }

  /** Hands on every utterance the adapter is still joining: the connection went quiet, closed, or the call ends. */
  finishUtterances(): void {
    clearTimeout(this.quietTimer);
    this.quietTimer = undefined;
    const result = this.adapter.flush?.(this.adapterContext());
    if (result?.ok) this.deliver(result, arrivalNow());
  }

  private adapterContext() {
    const { callId, speakers, stream } = this.params;
    return { callId, speakers, ...(stream !== undefined ? { stream } : {}), state: this.state };
  }

  private armQuietTimer(): void {
    if (!this.adapter.flush || this.state.assembly.size === 0) return;
    clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(() => this.finishUtterances(), ASSEMBLY_QUIET_MS);
    this.quietTimer.unref();
  }

  private deliver(result: Extract<AdapterResult, { ok: true }>, arrival: Arrival): void {
    for (const reason of result.dropped ?? []) this.reportDrop(reason);
    for (const chunk of result.chunks) {
      const outcome = ingestChunk(this.ctx, this.tenant, chunk, arrival);
      if (!outcome.ok) this.channel.error(outcome.code, outcome.message);
      else if (outcome.status !== 'accepted') this.reportDrop('duplicate');
    }
  }

  /** Counted every time, told to the producer once per reason. */
  private reportDrop(reason: DropReason): void {
    this.ctx.metrics.providerDrops.inc({ format: this.adapter.name, reason });
    if (this.reported.has(reason)) return;
    this.reported.add(reason);
    const notice: ProviderNotice = {
      type: 'notice',
      code: 'dropped',
      reason,
      callId: this.params.callId,
      message: DROP_EXPLANATIONS[reason],
    };
    this.channel.send(notice);
  }
}
