import type { SubscriptionScope } from '../protocol/subscribe-messages.js';
import { SCOPE_KINDS, scopeParts, scopesOfCall, type CallInfo, type CallRef } from './call-state.js';

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
    /** Hash: epoch, lastSeq, ladder (JSON), signedWebhooksOnly (1: signed Twilio webhooks feed the call). */
    meta: `${base}:meta`,
    /** Stream of cues whose entry ids are `seq-0`, capped at the replay buffer. */
    cues: `${base}:cues`,
    /** List of the newest final lines (JSON). */
    lines: `${base}:lines`,
    /** Hash: safety-alert seq → claim (JSON). */
    claims: `${base}:claims`,
    /** List of the agent acks waiting for the call's driver (PostedAck JSON each). */
    acks: `${base}:acks`,
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

/** How every instance's inbox channel begins; the postAck script appends the name of the call's lease holder. */
export const INBOX_CHANNEL_PREFIX = 'cg:inbox:';

/** The Pub/Sub channel on which an instance hears that acks wait for a call it drives: `{tenant, callId}` (JSON). */
export const inboxChannel = (holder: string): string => `${INBOX_CHANNEL_PREFIX}${holder}`;

/** The Pub/Sub channel of one subscription scope: it carries every event of the calls the scope covers. */
export function scopeChannel(tenant: string, scope: SubscriptionScope): string {
  const { kind, id } = scopeParts(scope);
  const base = `cg:events:${encodeURIComponent(tenant)}:${kind}`;
  return id === undefined ? base : `${base}:${encodeURIComponent(id)}`;
}

/**
 * The channels an event of the call is published on, one per scope covering it, in the order of
 * scopesOfCall, space-separated for the scripts (an encoded id holds no space).
 */
export const callChannels = (info: CallInfo): string =>
  scopesOfCall(info)
    .map((scope) => scopeChannel(info.tenant, scope))
    .join(' ');

/** Where a channel of scopeChannel comes in the order an event is published on a call's channels (that of SCOPE_KINDS). */
export const channelOrder = (channel: string): number =>
  SCOPE_KINDS.indexOf(channel.split(':')[3] as (typeof SCOPE_KINDS)[number]);
