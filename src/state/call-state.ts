import type { LadderState } from '../ladder/state.js';
import type { AckStep } from '../protocol/common.js';
import type { Cue } from '../protocol/cue.js';
import type {
  AlertClaimed,
  CallSummary,
  SubscriberEvent,
  SubscriptionScope,
  TranscriptEvent,
} from '../protocol/subscribe-messages.js';

/**
 * What a call shares with every instance: its cue log, ladder state, transcript tail, claims and
 * owner. Two implementations: memory (one instance, src/state/memory-*.ts) and Redis
 * (src/state/redis-*.ts). Writes by the call's owner carry its lease and are refused once the
 * lease is no longer its own (fencing), so two instances can never fork a call's ladder.
 */
export interface CallRef {
  readonly tenant: string;
  readonly callId: string;
}

/** The one map key of a call: tenant and call id (a call id is unique only within its tenant). */
export const callKey = ({ tenant, callId }: CallRef): string => `${tenant}\u0000${callId}`;

/** A call and who it belongs to: scopes (agent, team, tenant) are matched against it. */
export interface CallInfo {
  tenant: string;
  callId: string;
  agentId: string;
  teamId?: string;
}

/** The kinds of subscription scope, in the order scopesOfCall lists a call's scopes. */
export const SCOPE_KINDS = ['call', 'agent', 'team', 'tenant'] as const;

/** A scope as its kind and the id it names (none for the tenant's). */
export function scopeParts(scope: SubscriptionScope): { kind: (typeof SCOPE_KINDS)[number]; id?: string } {
  if ('callId' in scope) return { kind: 'call', id: scope.callId };
  if ('agentId' in scope) return { kind: 'agent', id: scope.agentId };
  if ('teamId' in scope) return { kind: 'team', id: scope.teamId };
  return { kind: 'tenant' };
}

/** The (at most four) subscription scopes that cover a call: call, agent, team, tenant, in that order. */
export const scopesOfCall = (info: CallInfo): SubscriptionScope[] => [
  { callId: info.callId },
  { agentId: info.agentId },
  ...(info.teamId !== undefined ? [{ teamId: info.teamId }] : []),
  { tenant: true },
];

/** An event of a call, as every instance's local fan-out receives it. */
export interface Envelope {
  info: CallInfo;
  event: SubscriberEvent;
}

/**
 * What comes with an observed event: `afterIncident` with the `started` of a call taken over from
 * another instance whose ladder had already reached an incident, so its record goes on where that
 * one left it; `claimedEpoch` with an `alert.claimed`, the epoch of the alert (the call) it names.
 */
export interface ObservedContext {
  afterIncident?: boolean;
  claimedEpoch?: string;
}

/** Sees every event this instance raises (the incident record); events raised elsewhere are that instance's. */
export type HubObserver = (info: CallInfo, event: SubscriberEvent, context?: ObservedContext) => void;

/** Hands an envelope to the subscriptions in its scope (on this instance, or on every one). */
export type Announce = (envelope: Envelope) => void;

/** The right to drive one call's ladder: `token` grows with every new holder of the call. */
export interface Lease {
  readonly holder: string;
  readonly token: number;
}

/** A write by an instance that no longer holds the call's lease: it must stop driving the call. */
export class FencedError extends Error {
  override name = 'FencedError';
}

/** Cues that do not continue the log's numbering: the store lost writes (Redis restarted without them), or another holder wrote. */
export class NumberingError extends Error {
  override name = 'NumberingError';
}

interface LeaseStore {
  /**
   * Takes the call's lease for `ttlMs` if nobody holds it, with a token greater than any before;
   * the holder that has it already gets it renewed, token unchanged. Undefined: another holds it.
   */
  acquire(call: CallRef, holder: string, ttlMs: number): Promise<Lease | undefined>;
  /** Extends the lease; false when it has expired or passed to another holder. */
  renew(call: CallRef, lease: Lease, ttlMs: number): Promise<boolean>;
  /** Gives the lease up (a no-op when it is no longer this one). */
  release(call: CallRef, lease: Lease): Promise<void>;
  /** Whether anyone holds the call's lease now. */
  held(call: CallRef): Promise<boolean>;
}

/** A call's cue numbering: `epoch` names the run of seqs, `lastSeq` is its newest (0: none yet). */
export interface Numbering {
  epoch: string;
  lastSeq: number;
}

export interface CueReplay {
  /** The cues held after the asked seq, oldest first. */
  items: Cue[];
  /** Set when cues after the asked seq have already left the log. */
  missing: { afterSeq: number; beforeSeq: number } | undefined;
}

/** The newest cues of each call, numbered without gaps; cues are written by LadderStore.commit. */
interface CueLog {
  /** The call's numbering; a call the log does not know gets a fresh epoch, counting from 1. */
  numbering(call: CallRef): Promise<Numbering>;
  since(call: CallRef, afterSeq: number): Promise<CueReplay>;
  get(call: CallRef, seq: number): Promise<Cue | undefined>;
}

/** One step of the ladder as its owner writes it: the state reached, the cues raised and the call's summary after it. */
export interface Transition {
  ladder: LadderState;
  /** Numbered from the log's lastSeq + 1, in order. */
  cues: readonly Cue[];
  summary: CallSummary;
}

interface LadderStore {
  /** The state the call's last transition reached; undefined for a call never driven. */
  load(call: CallRef): Promise<LadderState | undefined>;
  /**
   * Writes a transition all at once, fenced: the state, the cues appended to the cue log and
   * announced in order, the summary. Throws FencedError when `lease` is no longer the call's.
   */
  commit(info: CallInfo, lease: Lease, transition: Transition): Promise<void>;
  /** Puts back the numbering and state of the holder's call after the store lost them, fenced. */
  restore(info: CallInfo, lease: Lease, numbering: Numbering, ladder: LadderState): Promise<void>;
}

/** The newest final lines of each call, oldest first; a line repeating the last segment replaces it. */
interface TranscriptTail {
  /** Keeps the line (finals only) and announces it, fenced. */
  append(info: CallInfo, lease: Lease, line: TranscriptEvent): Promise<void>;
  lines(call: CallRef): Promise<TranscriptEvent[]>;
}

/** Who took each safety alert: the first claim stands. Any instance may claim (no lease). */
interface AlertClaims {
  /** Records the claim if the alert has none and announces it; returns the claim that stands, and whether it is this one. */
  claim(info: CallInfo, claim: AlertClaimed): Promise<{ standing: AlertClaimed; fresh: boolean }>;
  list(call: CallRef): Promise<AlertClaimed[]>;
}

/** An agent's ack waiting for the call's driver; `epoch`, when the agent named it, is the call's it was meant for. */
export interface PostedAck {
  step: AckStep;
  epoch?: string | undefined;
}

/** What became of a posted ack: kept for the driver, or refused: no live call of that id, or one of another epoch (`liveEpoch`). */
export type AckPosting = { kept: true } | { kept: false; liveEpoch?: string };

/**
 * Agent acks handed in on an instance that does not drive the call (the agent's page may be served
 * by any), kept until the call's driver takes them: the one holding the lease when the ack came is
 * told at once; a driver that takes the call over later finds them waiting.
 */
interface AckInbox {
  /** Keeps the ack for the live call (of the ack's epoch, if it names one) and tells its driver. */
  post(call: CallRef, ack: PostedAck): Promise<AckPosting>;
  /** Takes every ack waiting for the call, oldest first, fenced. */
  take(info: CallInfo, lease: Lease): Promise<PostedAck[]>;
}

/**
 * Calls that Twilio webhooks signed with the tenant's Twilio auth token feed: while such a call
 * lives, every instance refuses its other producers (an ingest token alone may have been copied
 * from a webhook URL). A mark goes with its call: a call started again after its end is unmarked.
 */
interface SignedWebhookMarks {
  /** Marks the call, fenced. */
  mark(info: CallInfo, lease: Lease): Promise<void>;
  /** Whether the call is live and marked. */
  marked(call: CallRef): Promise<boolean>;
}

/** The calls each tenant has, live or recently ended, with their summaries. */
interface CallDirectory {
  /** Records the call's summary and announces `event` (call started, moved, ended; unclassified), fenced. */
  update(info: CallInfo, lease: Lease, summary: CallSummary, event?: SubscriberEvent): Promise<void>;
  /** Announces an event of the call without changing its summary, fenced. */
  announce(info: CallInfo, lease: Lease, event: SubscriberEvent): Promise<void>;
  /** The call's entry, if the tenant has it (live or recently ended). */
  entry(call: CallRef): Promise<{ info: CallInfo; summary: CallSummary } | undefined>;
  /** The tenant's calls, with who they belong to. */
  list(tenant: string): Promise<{ info: CallInfo; summary: CallSummary }[]>;
  /** Every tenant that has had a call. */
  tenants(): Promise<string[]>;
  /**
   * Marks the call ended; beyond `retention` ended calls of the tenant, the oldest is forgotten
   * (its cues, ladder, lines and claims go).
   */
  ended(call: CallRef, retention: number): Promise<void>;
  /**
   * An ended call started again is a new call: it no longer counts among the ended ones, the old
   * call's cues, ladder, lines, claims, the acks left for it and its signed-webhook mark go, and it
   * is numbered afresh (another epoch, from 1).
   */
  reopened(call: CallRef): Promise<void>;
}

export interface CallStore {
  leases: LeaseStore;
  cues: CueLog;
  ladders: LadderStore;
  transcripts: TranscriptTail;
  claims: AlertClaims;
  acks: AckInbox;
  signedWebhooks: SignedWebhookMarks;
  directory: CallDirectory;
  /** Whether the store can be written now (Redis reachable); memory is always ready. */
  ready(): boolean;
  close(): Promise<void>;
}
