import type { AdapterResult, CallAdapterState, SpeakerMap, TranscriptAdapter } from '../adapters/index.js';
import type { DropReason } from '../adapters/call-state.js';
import type { Outcome, Refusal } from '../protocol/errors.js';
import { arrivalNow, type Arrival } from './call-session.js';

/** What became of one provider message, or of the utterances a leg finished by itself. */
export interface LegReport {
  chunks: number;
  /** Why a valid message gave no transcript; each is also counted in /metrics. */
  dropped: DropReason[];
  /** Chunks the call turned away. */
  refused: Refusal[];
}

export type Adapted = Extract<AdapterResult, { ok: true }>;

/** What one provider leg is fed with, besides its messages. */
export interface LegSpec {
  adapter: TranscriptAdapter;
  speakers: SpeakerMap;
  /** The source the leg carries, for single-source audio (see AdapterContext.stream). */
  stream?: string | undefined;
  /** The leg's messages are Twilio webhooks whose X-Twilio-Signature was checked. */
  signed?: boolean;
  /** Told what became of the utterances the leg finished by itself (a quiet connection, its close, the call's end). */
  onFinished?(report: LegReport): void;
}

/** A connection quiet this long finishes the utterances its adapter is still joining. */
const ASSEMBLY_QUIET_MS = 1500;

/**
 * One provider stream's share of a call: its adapter, the adapter's state between messages, and
 * the utterances it is still joining. What the adapter makes is handed to the call by `deliver`.
 */
export class ProviderLeg {
  private quietTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly name: string,
    private readonly callId: string,
    private readonly spec: LegSpec,
    private readonly state: CallAdapterState,
    private readonly deliver: (leg: ProviderLeg, adapted: Adapted, arrival: Arrival) => LegReport,
  ) {}

  get format(): string {
    return this.spec.adapter.name;
  }

  get signed(): boolean {
    return this.spec.signed === true;
  }

  feed(message: unknown, arrival: Arrival): Outcome<LegReport> {
    const result = this.spec.adapter.adapt(message, this.adapterContext());
    if (!result.ok) return result;
    const report = this.deliver(this, result, arrival);
    this.armQuietTimer();
    return { ok: true, ...report };
  }

  /** Hands on every utterance the adapter is still joining: the connection went quiet, closed, or the call ends. */
  finishUtterances(): void {
    clearTimeout(this.quietTimer);
    this.quietTimer = undefined;
    const result = this.spec.adapter.flush?.(this.adapterContext());
    if (!result?.ok) return;
    const report = this.deliver(this, result, arrivalNow());
    this.spec.onFinished?.(report);
  }

  private adapterContext() {
    const { speakers, stream } = this.spec;
    return { callId: this.callId, speakers, ...(stream !== undefined ? { stream } : {}), state: this.state };
  }

  private armQuietTimer(): void {
    if (!this.spec.adapter.flush || this.state.assembly.size === 0) return;
    clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(() => this.finishUtterances(), ASSEMBLY_QUIET_MS);
    this.quietTimer.unref();
  }
}
