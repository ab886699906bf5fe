import type { FastifyBaseLogger } from 'fastify';
import { CallAdapterState } from '../adapters/index.js';
import type { DropReason } from '../adapters/call-state.js';
import type { Metrics } from '../metrics.js';
import { refusal, storeUnreachable, type Outcome, type Refusal } from '../protocol/errors.js';
import type { AckStatus } from '../protocol/ingest-messages.js';
import { TranscriptChunk } from '../protocol/transcript-chunk.js';
import { validator } from '../protocol/validator.js';
import type { CallInfo, CallRef, PostedAck } from '../state/call-state.js';
import { epochMatches } from '../state/epoch.js';
import type { SharedHub } from '../state/shared-hub.js';
import type { CallRegistry } from './call-registry.js';
import type { Arrival, CallSession } from './call-session.js';
import { onlySignedWebhooks, type Joining } from './joining.js';
import { ProviderLeg, type Adapted, type LegReport, type LegSpec } from './provider-leg.js';

/** A call as its producer names it (the tenant comes from the producer's token). */
export interface CallNaming {
  callId: string;
  agentId: string;
  teamId?: string | undefined;
}

export const callInfo = (tenant: string, { callId, agentId, teamId }: CallNaming): CallInfo => ({
  tenant,
  callId,
  agentId,
  ...(teamId !== undefined ? { teamId } : {}),
});

const checkChunk = validator(TranscriptChunk, 'chunk');

export const noLiveCall = ({ callId }: CallRef): Refusal => refusal('unknown_call', `callId: no live call ${callId}`);

/** What a message the call took while it was opening here comes to once its call.start is refused. */
const startRefused = ({ callId }: CallRef): Refusal =>
  refusal('unknown_call', `callId: no live call ${callId}: its call.start was refused, and this message not applied`);

/** An outcome given at once, or, for a message a call took while opening here, once it is open. */
export type Answer<T extends object = object> = Outcome<T> | Promise<Outcome<T>>;

/** Hands an answer to `then` once it is known: at once when it already is, so in turn with the messages around it. */
export function whenAnswered<T>(answer: T | Promise<T>, then: (outcome: T) => void): void {
  if (answer instanceof Promise) void answer.then(then);
  else then(answer);
}

/**
 * The outcome of a message `session` took: at once when its call is open here; while it opens, once
 * it is (in the order the messages came), or `startRefused` when it turns out not to be driven here.
 */
function onceOpen<T extends object>(session: CallSession, outcome: Outcome<T>): Answer<T> {
  if (session.epoch !== undefined || !outcome.ok) return outcome;
  return session.opened.then((call) => (call ? outcome : startRefused(session.info)));
}

/** An ack naming the epoch of a call that has ended, while another call of that id is live: it is not the new call's. */
const ackOfEndedCall = ({ callId }: CallRef, ack: PostedAck, liveEpoch: string): Refusal =>
  refusal(
    'unknown_call',
    `epoch: call ${callId} of epoch ${ack.epoch} has ended; the live call ${callId} is another (epoch ${liveEpoch}), and the ack was not applied to it`,
  );

/**
 * The way into a call, whatever the transport: start it, hand over chunks (the service's own or
 * a provider adapter's), the agent's acknowledged steps and its end. Each step answers with an
 * Outcome the route puts on its wire.
 */
export class CallIngest {
  /** Numbers the legs, so segment ids of two connections (or one leg reconnecting) never collide. */
  private legSerial = 0;

  constructor(
    private readonly registry: CallRegistry,
    private readonly hub: SharedHub,
    private readonly metrics: Metrics,
    private readonly log: FastifyBaseLogger,
  ) {}

  /**
   * Starts the call, or joins `owner` (a connection, or one webhook) to it. Resolves once this
   * instance drives the call (with Redis: holds its lease, once a dead owner's has run out), so
   * a route acknowledges only a call that is its own. A call signed webhooks feed refuses anything
   * else, also when another instance drove it until now. The call is registered at once, so that
   * chunks sent meanwhile wait their turn; `unavailable` when the shared state cannot be reached.
   */
  async start(info: CallInfo, owner: object, joining: Joining = {}): Promise<Outcome<{ session: CallSession }>> {
    const joined = this.registry.session(info) !== undefined;
    const started = this.registry.start(info, owner, joining);
    if (!started.ok) return started;
    // An opening that failed is logged by the session.
    const opening = await started.session.opening.catch(() => storeUnreachable);
    if (!opening.ok && opening.code === 'forbidden' && joined && joining.signedWebhook) {
      // It joined another producer's start, refused as a call signed webhooks feed: it may start the
      // call itself once the registry has forgotten that start (it does as soon as `opened` resolves).
      await started.session.opened;
      return this.start(info, owner, joining);
    }
    if (!opening.ok) return opening;
    if (!joining.signedWebhook) return started;
    try {
      await this.hub.markSignedWebhooksOnly(opening.call);
      return started;
    } catch (error) {
      this.log.error(
        { err: error, tenant: info.tenant, callId: info.callId },
        'the signed-webhooks-only mark of a call could not be written; the webhook is answered unavailable',
      );
      // Unmarked in the shared state, the call would take unsigned producers on other instances: a
      // call this start created is ended (the webhook's retry starts it afresh), one it joined stays.
      if (!joined && this.registry.session(info) === started.session) void this.registry.end(info);
      return storeUnreachable;
    }
  }

  get liveCalls(): number {
    return this.registry.size;
  }

  /** `owner` is gone (a connection closed, a webhook answered): calls it alone fed wait to be adopted. */
  release(owner: object): void {
    this.registry.release(owner);
  }

  /** Why a producer other than a signed Twilio webhook may not feed, acknowledge or end the call, if it may not. */
  refuseUnsigned(call: CallRef): Refusal | undefined {
    return this.registry.refuseUnsigned(call);
  }

  /** As refuseUnsigned, for a call driven here or by another instance (an agent.ack may name either). */
  async refuseUnsignedAnywhere(call: CallRef): Promise<Refusal | undefined> {
    const here = this.refuseUnsigned(call);
    if (here || !(await this.hub.signedWebhooksOnly(call))) return here;
    return onlySignedWebhooks(call.callId);
  }

  /**
   * Hands one chunk to its live call; while the call opens here, its outcome comes once it is open
   * (see onceOpen), and a final is not classified before.
   */
  chunk(tenant: string, chunk: TranscriptChunk, arrival: Arrival): Answer<{ status: AckStatus }> {
    const session = this.registry.active({ tenant, callId: chunk.callId });
    const outcome = this.take(session, chunk, arrival);
    return session ? onceOpen(session, outcome) : outcome;
  }

  /** The live call this instance drives, as its producer named it. */
  live(call: CallRef): CallInfo | undefined {
    return this.registry.session(call)?.info;
  }

  /**
   * The agent took a ladder step (told by the producer or the agent's own page) of a call this
   * instance has: queued at once, so that it is applied after every line received before it and
   * before any received after it. Its outcome comes at once when the call is open here; while the
   * call opens, once it is (undefined then if another instance turns out to drive it). Undefined
   * when this instance has no call of that id.
   */
  acknowledgeHere(call: CallRef, ack: PostedAck): Outcome | Promise<Outcome | undefined> | undefined {
    const session = this.registry.active(call);
    if (!session) return undefined;
    session.acknowledge(ack.step, ack.epoch);
    const outcome = (epoch: string): Outcome =>
      epochMatches(ack.epoch, epoch) ? { ok: true } : ackOfEndedCall(call, ack, epoch);
    if (session.epoch !== undefined) return outcome(session.epoch);
    return session.opened.then((opened) => opened && outcome(opened.epoch));
  }

  /**
   * The ack of a call another instance drives (the producer and the agent's page are served by
   * any): kept in the shared store for that instance. Rejects when the store cannot be reached.
   */
  async acknowledgeElsewhere(call: CallRef, ack: PostedAck): Promise<Outcome> {
    const posted = await this.hub.postAck(call, ack);
    if (posted.kept) return { ok: true };
    return posted.liveEpoch === undefined ? noLiveCall(call) : ackOfEndedCall(call, ack, posted.liveEpoch);
  }

  /**
   * Ends the call once every leg has handed on the utterances it was still joining. A call.start
   * sent after it starts another call, also while this one opens (its outcome then comes once it is open).
   */
  end(call: CallRef): Answer {
    for (const leg of this.registry.legsOf(call)) leg.finishUtterances();
    const session = this.registry.session(call);
    if (!session) return noLiveCall(call);
    void this.registry.end(call);
    return onceOpen(session, { ok: true });
  }

  /** A provider connection's own leg of a live call: one per audio stream, its segment ids its own. */
  connectLeg(call: CallRef, spec: LegSpec): Outcome<{ leg: ProviderLeg }> {
    const name = `${spec.stream ?? 'leg'}-${++this.legSerial}`;
    return this.openLeg(call, name, spec, () => new CallAdapterState({ leg: name }));
  }

  /** The call's one leg of `spec.adapter`, kept while the call lives: the webhooks of one call share it. */
  webhookLeg(call: CallRef, spec: LegSpec): Outcome<{ leg: ProviderLeg }> {
    return this.openLeg(call, spec.adapter.name, spec, () => new CallAdapterState());
  }

  /** The leg's connection closed: it hands on what it was still joining and leaves the call. */
  closeLeg(call: CallRef, leg: ProviderLeg): void {
    leg.finishUtterances();
    this.registry.dropLeg(call, leg.name);
  }

  private openLeg(
    call: CallRef,
    name: string,
    spec: LegSpec,
    newState: () => CallAdapterState,
  ): Outcome<{ leg: ProviderLeg }> {
    const deliver = (leg: ProviderLeg, adapted: Adapted, arrival: Arrival) => this.deliver(call, leg, adapted, arrival);
    const leg = this.registry.leg(call, name, () => new ProviderLeg(name, call.callId, spec, newState(), deliver));
    return leg ? { ok: true, leg } : noLiveCall(call);
  }

  private deliver(call: CallRef, leg: ProviderLeg, adapted: Adapted, arrival: Arrival): LegReport {
    // A leg that joined before a signed webhook did.
    const unsigned = leg.signed ? undefined : this.refuseUnsigned(call);
    if (unsigned) return { chunks: adapted.chunks.length, dropped: [], refused: [unsigned] };
    const dropped: DropReason[] = [...(adapted.dropped ?? [])];
    const refused: Refusal[] = [];
    for (const chunk of adapted.chunks) {
      const outcome = this.take(this.registry.active(call), chunk, arrival);
      if (!outcome.ok) refused.push(outcome);
      else if (outcome.status !== 'accepted') dropped.push('duplicate');
    }
    for (const reason of dropped) this.metrics.providerDrops.inc({ format: leg.format, reason });
    return { chunks: adapted.chunks.length, dropped, refused };
  }

  /** Hands one chunk to `session`, the live call it names. Chunks an adapter built are held to the native format's bounds. */
  private take(
    session: CallSession | undefined,
    chunk: TranscriptChunk,
    arrival: Arrival,
  ): Outcome<{ status: AckStatus }> {
    const checked = checkChunk(chunk);
    if (!checked.ok) return checked;
    if (!session) return refusal('unknown_call', `callId: no live call ${chunk.callId}; send call.start first`);
    if (chunk.endMs < chunk.startMs) return refusal('invalid_message', 'chunk.endMs: must not be before startMs');
    return { ok: true, status: session.ingest(chunk, arrival) };
  }
}
