import type { CallRef } from './call-state.js';

// Every key of a tenant shares one hash tag, so one tenant's scripts touch one slot (Redis Cluster ready).
const tag = (tenant: string): string => `cg:{${encodeURIComponent(tenant)}}`;

/** The Redis keys of one call. */
export function callKeys(call: CallRef) {
  const base = `${tag(call.tenant)}:call:${encodeURIComponent(call.callId)}`;
  return {
    /** `token:holder` of the instance driving the call, with the lease's expiry. */
    lease: `${base}:lease`,
    /** The last lease token handed out (INCR). */
    fence: `${base}:fence`,
    /** Hash: epoch, lastSeq, ladder (JSON). */
    meta: `${base}:meta`,
    /** Stream of cues whose entry ids are `seq-0`, capped at the replay buffer. */
    cues: `${base}:cues`,
    /** List of the newest final lines (JSON). */
    lines: `${base}:lines`,
    /** Hash: safety-alert seq → claim (JSON). */
    claims: `${base}:claims`,
  };
}

/** The Redis keys of one tenant. */
export function tenantKeys(tenant: string) {
  return {
    /** Hash: callId → {info, summary} (JSON) of every call live or recently ended. */
    calls: `${tag(tenant)}:calls`,
    /** Sorted set of ended callIds by end time, oldest forgotten first. */
    ended: `${tag(tenant)}:ended`,
  };
}

/** Set of every tenant that has had a call (for the sweep that finds calls of dead instances). */
export const TENANTS_KEY = 'cg:tenants';

/** The Pub/Sub channel carrying every event of a tenant's calls. */
export const tenantChannel = (tenant: string): string => `cg:events:${encodeURIComponent(tenant)}`;
