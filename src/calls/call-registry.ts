import type { CallStart } from '../protocol/ingest-messages.js';
import { CallSession, type SessionDeps } from './call-session.js';

export type StartResult = { ok: true; session: CallSession } | { ok: false; code: 'call_exists' | 'too_many_calls'; message: string };

interface Entry {
  session: CallSession;
  /** The ingest connections feeding the call (one per audio stream for some providers); none while orphaned. */
  owners: Set<object>;
  orphanTimer: NodeJS.Timeout | undefined;
}

const key = (tenant: string, callId: string): string => `${tenant}\u0000${callId}`;

/**
 * The live calls of every tenant. A call belongs to the ingest connections that sent its
 * call.start; once all of them have dropped, the call waits `orphanTimeoutMs` for a producer to
 * re-send call.start (which adopts it, ladder state intact) before it is ended.
 */
export class CallRegistry {
  private readonly calls = new Map<string, Entry>();
  private readonly ending = new Set<Promise<void>>();

  constructor(
    private readonly deps: SessionDeps,
    private readonly options: { maxCalls: number; orphanTimeoutMs: number; onCount?(live: number): void },
  ) {}

  start(tenant: string, message: CallStart, owner: object): StartResult {
    const existing = this.calls.get(key(tenant, message.callId));
    if (existing) {
      if (existing.session.info.agentId !== message.agentId) {
        return { ok: false, code: 'call_exists', message: `callId: call ${message.callId} is already live with another agent` };
      }
      clearTimeout(existing.orphanTimer);
      existing.orphanTimer = undefined;
      existing.owners.add(owner);
      return { ok: true, session: existing.session };
    }
    if (this.calls.size >= this.options.maxCalls) {
      return { ok: false, code: 'too_many_calls', message: `the service is at its limit of ${this.options.maxCalls} live calls` };
    }
    const info = { tenant, callId: message.callId, agentId: message.agentId, ...(message.teamId !== undefined ? { teamId: message.teamId } : {}) };
    const session = new CallSession(info, this.deps);
    this.calls.set(key(tenant, message.callId), { session, owners: new Set([owner]), orphanTimer: undefined });
    this.options.onCount?.(this.calls.size);
    return { ok: true, session };
  }

  get(tenant: string, callId: string): CallSession | undefined {
    return this.calls.get(key(tenant, callId))?.session;
  }

  end(tenant: string, callId: string): Promise<void> | undefined {
    const k = key(tenant, callId);
    const entry = this.calls.get(k);
    if (!entry) return undefined;
    clearTimeout(entry.orphanTimer);
    this.calls.delete(k);
    this.options.onCount?.(this.calls.size);
    const done = entry.session.end();
    this.ending.add(done);
    void done.finally(() => this.ending.delete(done));
    return done;
  }

  /** An ingest connection closed: calls it alone was feeding wait to be adopted, then end. */
  release(owner: object): void {
    for (const entry of this.calls.values()) {
      if (!entry.owners.delete(owner) || entry.owners.size > 0) continue;
      const { tenant, callId } = entry.session.info;
      entry.orphanTimer = setTimeout(() => void this.end(tenant, callId), this.options.orphanTimeoutMs);
      entry.orphanTimer.unref();
    }
  }

  /** Resolves when every call has flushed the cues of what it received (calls stay live). */
  async settled(): Promise<void> {
    await Promise.all([...[...this.calls.values()].map((e) => e.session.settled()), ...this.ending]);
  }

  get size(): number {
    return this.calls.size;
  }
}
