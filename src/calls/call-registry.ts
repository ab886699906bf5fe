import type { CallStart } from '../protocol/ingest-messages.js';
import { callKey, type CallInfo } from '../state/call-state.js';
import { CallSession, type SessionDeps } from './call-session.js';

export type StartResult =
  { ok: true; session: CallSession } | { ok: false; code: 'call_exists' | 'too_many_calls'; message: string };

export interface RegistryOptions {
  /** Live calls in all. */
  maxCalls: number;
  /** Live calls per tenant: one tenant cannot take the whole instance. */
  maxCallsPerTenant: number;
  orphanTimeoutMs: number;
  /** A call that hears nothing (no chunk, ack or call.start) for this long is ended, even while its producer stays connected. */
  idleTimeoutMs: number;
  onCount?(live: number): void;
}

interface Entry {
  session: CallSession;
  /** The ingest connections feeding the call (one per audio stream for some providers); none while orphaned. */
  owners: Set<object>;
  orphanTimer: NodeJS.Timeout | undefined;
  idleTimer: NodeJS.Timeout;
}

/**
 * The live calls of every tenant. A call belongs to the ingest connections that sent its
 * call.start; once all of them have dropped, the call waits `orphanTimeoutMs` for a producer to
 * re-send call.start (which adopts it, ladder state intact) before it is ended. A call that stays
 * silent for `idleTimeoutMs` is ended too.
 */
export class CallRegistry {
  private readonly calls = new Map<string, Entry>();
  private readonly perTenant = new Map<string, number>();
  private readonly ending = new Set<Promise<void>>();

  constructor(
    private readonly deps: SessionDeps,
    private readonly options: RegistryOptions,
  ) {}

  start(tenant: string, message: CallStart, owner: object): StartResult {
    const existing = this.calls.get(callKey({ tenant: tenant, callId: message.callId }));
    if (existing) {
      if (existing.session.info.agentId !== message.agentId) {
        return {
          ok: false,
          code: 'call_exists',
          message: `callId: call ${message.callId} is already live with another agent`,
        };
      }
      clearTimeout(existing.orphanTimer);
      existing.orphanTimer = undefined;
      existing.owners.add(owner);
      existing.idleTimer.refresh();
      return { ok: true, session: existing.session };
    }
    if (this.calls.size >= this.options.maxCalls) {
      return {
        ok: false,
        code: 'too_many_calls',
        message: `the service is at its limit of ${this.options.maxCalls} live calls`,
      };
    }
    const tenantCalls = this.perTenant.get(tenant) ?? 0;
    if (tenantCalls >= this.options.maxCallsPerTenant) {
      return {
        ok: false,
        code: 'too_many_calls',
        message: `this tenant is at its limit of ${this.options.maxCallsPerTenant} live calls`,
      };
    }
    const info = {
      tenant,
      callId: message.callId,
      agentId: message.agentId,
      ...(message.teamId !== undefined ? { teamId: message.teamId } : {}),
    };
    const session = new CallSession(info, this.deps);
    const idleTimer = setTimeout(() => this.expire(tenant, message.callId, 'idle'), this.options.idleTimeoutMs).unref();
    this.calls.set(callKey({ tenant: tenant, callId: message.callId }), {
      session,
      owners: new Set([owner]),
      orphanTimer: undefined,
      idleTimer,
    });
    // Another instance drives the call (its lease did not run out): this one does not keep it.
    void session.opened.then((call) => call || this.forget(tenant, message.callId, session));
    this.perTenant.set(tenant, tenantCalls + 1);
    this.options.onCount?.(this.calls.size);
    return { ok: true, session };
  }

  get(tenant: string, callId: string): CallSession | undefined {
    return this.calls.get(callKey({ tenant: tenant, callId: callId }))?.session;
  }

  /** The live call, which has just heard from its producer: its idle timer starts over. */
  active(tenant: string, callId: string): CallSession | undefined {
    const entry = this.calls.get(callKey({ tenant: tenant, callId: callId }));
    entry?.idleTimer.refresh();
    return entry?.session;
  }

  end(tenant: string, callId: string): Promise<void> | undefined {
    const entry = this.remove(tenant, callId);
    if (!entry) return undefined;
    // The session's own chain never rejects; the catch keeps a future change from crashing the process.
    const done = entry.session.end().catch((error: unknown) => {
      this.deps.log.error({ err: error, callId }, 'ending a call failed');
      this.deps.metrics.internalErrors.inc({ where: 'call-end' });
    });
    this.ending.add(done);
    void done.finally(() => this.ending.delete(done));
    return done;
  }

  /**
   * Drops a call another instance drives now, without ending it (its end is that instance's to
   * write); only `session`'s entry, when given.
   */
  forget(tenant: string, callId: string, session?: CallSession): void {
    const entry = this.calls.get(callKey({ tenant: tenant, callId: callId }));
    if (entry && (!session || entry.session === session)) this.remove(tenant, callId);
  }

  /**
   * Takes on a live call nobody drives (with Redis: its instance died and its producer did not
   * come back): it waits `orphanTimeoutMs` for a producer, then ends, as an orphaned call does.
   */
  adopt(info: CallInfo): void {
    if (this.calls.has(callKey({ tenant: info.tenant, callId: info.callId }))) return;
    const owner = {};
    const { teamId } = info;
    if (
      this.start(
        info.tenant,
        { type: 'call.start', callId: info.callId, agentId: info.agentId, ...(teamId !== undefined ? { teamId } : {}) },
        owner,
      ).ok
    )
      this.release(owner);
  }

  /** An ingest connection closed: calls it alone was feeding wait to be adopted, then end. */
  release(owner: object): void {
    for (const entry of this.calls.values()) {
      if (!entry.owners.delete(owner) || entry.owners.size > 0) continue;
      const { tenant, callId } = entry.session.info;
      entry.orphanTimer = setTimeout(
        () => this.expire(tenant, callId, 'orphaned'),
        this.options.orphanTimeoutMs,
      ).unref();
    }
  }

  /** Resolves when every call has flushed the cues of what it received (calls stay live). */
  async settled(): Promise<void> {
    await Promise.all([...[...this.calls.values()].map((e) => e.session.settled()), ...this.ending]);
  }

  get size(): number {
    return this.calls.size;
  }

  private remove(tenant: string, callId: string): Entry | undefined {
    const k = callKey({ tenant: tenant, callId: callId });
    const entry = this.calls.get(k);
    if (!entry) return undefined;
    clearTimeout(entry.orphanTimer);
    clearTimeout(entry.idleTimer);
    this.calls.delete(k);
    const left = (this.perTenant.get(tenant) ?? 1) - 1;
    if (left > 0) this.perTenant.set(tenant, left);
    else this.perTenant.delete(tenant);
    this.options.onCount?.(this.calls.size);
    return entry;
  }

  private expire(tenant: string, callId: string, reason: 'orphaned' | 'idle'): void {
    this.deps.log.info({ callId, reason }, 'call ended by the service');
    this.deps.metrics.callsExpired.inc({ reason });
    void this.end(tenant, callId);
  }
}
