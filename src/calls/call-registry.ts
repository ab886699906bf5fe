import { refusal, type Outcome, type Refusal } from '../protocol/errors.js';
import { callKey, type CallInfo, type CallRef } from '../state/call-state.js';
import { CallSession, type SessionDeps } from './call-session.js';
import { onlySignedWebhooks, type Joining } from './joining.js';
import type { ProviderLeg } from './provider-leg.js';

export interface RegistryOptions {
  /** Live calls in all. */
  maxCalls: number;
  /** Live calls per tenant: one tenant cannot take the whole instance. */
  maxCallsPerTenant: number;
  /** How long a call whose producers all dropped waits for one to come back before it is ended. */
  orphanCallTimeoutMs: number;
  /** A call that hears nothing (no chunk, ack or call.start) for this long is ended, even while its producer stays connected. */
  callIdleTimeoutMs: number;
  onCount?(live: number): void;
}

export const registryDefaults = {
  maxCalls: 10_000,
  maxCallsPerTenant: 2000,
  orphanCallTimeoutMs: 30_000,
  callIdleTimeoutMs: 600_000,
} satisfies Partial<RegistryOptions>;

interface Entry {
  session: CallSession;
  /** The ingest connections feeding the call (one per audio stream for some providers); none while orphaned. */
  owners: Set<object>;
  /** The provider legs feeding the call, by name: their adapters' state lives as long as the call. */
  legs: Map<string, ProviderLeg>;
  /**
   * A Twilio webhook with a checked signature fed the call: other producers may no longer. This
   * instance's copy of the mark in the shared state (SharedHub.signedWebhooksOnly), read on every chunk.
   */
  signedWebhooksOnly: boolean;
  orphanTimer: NodeJS.Timeout | undefined;
  idleTimer: NodeJS.Timeout;
}

/**
 * The live calls of every tenant. A call belongs to the ingest connections that sent its
 * call.start; once all of them have dropped, the call waits `orphanCallTimeoutMs` for a producer to
 * re-send call.start (which adopts it, ladder state intact) before it is ended. A call that stays
 * silent for `callIdleTimeoutMs` is ended too.
 */
export class CallRegistry {
  private readonly calls = new Map<string, Entry>();
  private readonly perTenant = new Map<string, number>();
  private readonly ending = new Set<Promise<void>>();
  /** The end of each call ended here before it was open, until done: a start of the call meanwhile opens after it. */
  private readonly endingBeforeOpen = new Map<string, Promise<void>>();

  constructor(
    private readonly deps: SessionDeps,
    private readonly options: RegistryOptions,
  ) {}

  /**
   * Starts the call, or joins `owner` to it if it is live with the same agent. Once a signed
   * webhook has started or joined a call, only signed webhooks may join it.
   */
  start(info: CallInfo, owner: object, { signedWebhook = false }: Joining = {}): Outcome<{ session: CallSession }> {
    const { tenant, callId } = info;
    const existing = this.calls.get(callKey(info));
    if (existing) {
      if (existing.session.info.agentId !== info.agentId)
        return refusal('call_exists', `callId: call ${callId} is already live with another agent`);
      if (existing.signedWebhooksOnly && !signedWebhook) return onlySignedWebhooks(callId);
      existing.signedWebhooksOnly ||= signedWebhook;
      clearTimeout(existing.orphanTimer);
      existing.orphanTimer = undefined;
      existing.owners.add(owner);
      existing.idleTimer.refresh();
      return { ok: true, session: existing.session };
    }
    if (this.calls.size >= this.options.maxCalls)
      return refusal('too_many_calls', `the service is at its limit of ${this.options.maxCalls} live calls`);
    const tenantCalls = this.perTenant.get(tenant) ?? 0;
    if (tenantCalls >= this.options.maxCallsPerTenant)
      return refusal('too_many_calls', `this tenant is at its limit of ${this.options.maxCallsPerTenant} live calls`);
    const session = new CallSession(info, this.deps, {
      bySignedWebhook: signedWebhook,
      after: this.endingBeforeOpen.get(callKey(info)),
    });
    const idleTimer = setTimeout(() => this.expire(info, 'idle'), this.options.callIdleTimeoutMs).unref();
    this.calls.set(callKey(info), {
      session,
      owners: new Set([owner]),
      legs: new Map(),
      signedWebhooksOnly: signedWebhook,
      orphanTimer: undefined,
      idleTimer,
    });
    // Another instance drives the call (its lease did not run out): this one does not keep it.
    void session.opened.then((call) => call || this.forget(info, session));
    this.perTenant.set(tenant, tenantCalls + 1);
    this.options.onCount?.(this.calls.size);
    return { ok: true, session };
  }

  /** The live call, which has just heard from its producer: its idle timer starts over. */
  active(call: CallRef): CallSession | undefined {
    const entry = this.calls.get(callKey(call));
    entry?.idleTimer.refresh();
    return entry?.session;
  }

  /** The live call, looked up for others (acks waiting, an agent's token checked): its idle timer runs on. */
  session(call: CallRef): CallSession | undefined {
    return this.calls.get(callKey(call))?.session;
  }

  /** The refusal a producer other than a signed webhook gets from a call that signed webhooks feed. */
  refuseUnsigned(call: CallRef): Refusal | undefined {
    return this.calls.get(callKey(call))?.signedWebhooksOnly ? onlySignedWebhooks(call.callId) : undefined;
  }

  /** The live call's leg `name`, opened by `open` the first time; undefined without a live call. */
  leg(call: CallRef, name: string, open: () => ProviderLeg): ProviderLeg | undefined {
    const legs = this.calls.get(callKey(call))?.legs;
    if (!legs) return undefined;
    const leg = legs.get(name) ?? open();
    legs.set(name, leg);
    return leg;
  }

  /** Every provider leg feeding the live call. */
  legsOf(call: CallRef): ProviderLeg[] {
    return [...(this.calls.get(callKey(call))?.legs.values() ?? [])];
  }

  /** A leg's connection closed: the call goes on without it. */
  dropLeg(call: CallRef, name: string): void {
    this.calls.get(callKey(call))?.legs.delete(name);
  }

  end(call: CallRef): Promise<void> | undefined {
    const entry = this.remove(call);
    if (!entry) return undefined;
    // The session's own chain never rejects; the catch keeps a future change from crashing the process.
    const done = entry.session.end().catch((error: unknown) => {
      this.deps.log.error({ err: error, tenant: call.tenant, callId: call.callId }, 'ending a call failed');
      this.deps.metrics.internalErrors.inc({ where: 'call-end' });
    });
    this.ending.add(done);
    void done.finally(() => this.ending.delete(done));
    if (entry.session.epoch === undefined) this.openNextAfter(call, done);
    return done;
  }

  /**
   * Drops a call another instance drives now, without ending it (its end is that instance's to
   * write); only `session`'s entry, when given.
   */
  forget(call: CallRef, session?: CallSession): void {
    const entry = this.calls.get(callKey(call));
    if (entry && (!session || entry.session === session)) this.remove(call);
  }

  /**
   * Takes on a live call nobody drives (with Redis: its instance died and its producer did not
   * come back): it waits `orphanCallTimeoutMs` for a producer, then ends, as an orphaned call does.
   * One that signed webhooks fed waits for one of them.
   */
  adopt(info: CallInfo, signedWebhooksOnly: boolean): void {
    if (this.calls.has(callKey(info))) return;
    const owner = {};
    if (this.start(info, owner, { signedWebhook: signedWebhooksOnly }).ok) this.release(owner);
  }

  /** An ingest connection closed (or a webhook was answered): calls it alone was feeding wait to be adopted, then end. */
  release(owner: object): void {
    for (const entry of this.calls.values()) {
      if (!entry.owners.delete(owner) || entry.owners.size > 0) continue;
      const { info } = entry.session;
      entry.orphanTimer = setTimeout(() => this.expire(info, 'orphaned'), this.options.orphanCallTimeoutMs).unref();
    }
  }

  /** Resolves when every call has flushed the cues of what it received (calls stay live). */
  async settled(): Promise<void> {
    await Promise.all([...[...this.calls.values()].map((e) => e.session.settled()), ...this.ending]);
  }

  get size(): number {
    return this.calls.size;
  }

  private remove(call: CallRef): Entry | undefined {
    const key = callKey(call);
    const entry = this.calls.get(key);
    if (!entry) return undefined;
    clearTimeout(entry.orphanTimer);
    clearTimeout(entry.idleTimer);
    this.calls.delete(key);
    const left = (this.perTenant.get(call.tenant) ?? 1) - 1;
    if (left > 0) this.perTenant.set(call.tenant, left);
    else this.perTenant.delete(call.tenant);
    this.options.onCount?.(this.calls.size);
    return entry;
  }

  /**
   * The call was ended before it was open here: a start of it before `ended` resolves opens after
   * it, so the two never share an opening (the lines this one took are applied, then it ends).
   */
  private openNextAfter(call: CallRef, ended: Promise<void>): void {
    const key = callKey(call);
    this.endingBeforeOpen.set(key, ended);
    void ended.then(() => {
      if (this.endingBeforeOpen.get(key) === ended) this.endingBeforeOpen.delete(key);
    });
  }

  private expire(call: CallRef, reason: 'orphaned' | 'idle'): void {
    this.deps.log.info({ tenant: call.tenant, callId: call.callId, reason }, 'call ended by the service');
    this.deps.metrics.callsExpired.inc({ reason });
    void this.end(call);
  }
}
