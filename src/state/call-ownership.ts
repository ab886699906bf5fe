import { setTimeout as sleep } from 'node:timers/promises';
import { initialLadderState, type LadderState } from '../ladder/state.js';
import type { Metrics } from '../metrics.js';
import {
  callKey,
  FencedError,
  NumberingError,
  type CallInfo,
  type CallRef,
  type CallStore,
  type Lease,
} from './call-state.js';

/** A call this instance drives, as `openCall` hands it out; the hub keeps it current. */
export interface OwnedCall {
  readonly info: CallInfo;
  lease: Lease;
  epoch: string;
  lastSeq: number;
  /** The ladder as the call's last transition left it (on any instance). */
  ladder: LadderState;
  ended: boolean;
  /**
   * Set once this opening has marked the call in the store as fed by signed Twilio webhooks only, or
   * took over a call marked so (the orphan sweep's adoption included).
   */
  signedWebhooksOnly: boolean;
}

export interface OwnershipOptions {
  store: CallStore;
  /** Names this instance in the leases it holds: unique per process start. */
  holder: string;
  /** How long a call's lease lasts unless renewed (renewed every third of it). */
  leaseTtlMs: number;
  /** How long opening a call waits for another holder's lease to run out (default: one lease). */
  leaseWaitMs?: number;
  /** A call whose lease another instance took: this one must stop driving it. */
  onLost?: (info: CallInfo) => void;
  metrics: Pick<Metrics, 'leasesLost' | 'fencingRejections'>;
}

/**
 * The calls this instance drives and their leases: taken (waiting out the lease of an owner that
 * died), renewed every third of a lease, taken back when they ran out while nobody took them,
 * given up. Every write of a driven call goes through `write`, fenced by its lease.
 */
export class CallOwnership {
  private readonly owned = new Map<string, OwnedCall>();
  private readonly renewal: NodeJS.Timeout;

  constructor(private readonly options: OwnershipOptions) {
    this.renewal = setInterval(() => void this.renewLeases(), Math.max(1, Math.floor(options.leaseTtlMs / 3))).unref();
  }

  /** The call's lease, waiting out the lease of an owner that died (one that renews keeps it). */
  async awaitLease(info: CallInfo): Promise<Lease | undefined> {
    const { store, holder, leaseTtlMs, leaseWaitMs = leaseTtlMs } = this.options;
    const giveUpAt = Date.now() + leaseWaitMs;
    for (;;) {
      const lease = await store.leases.acquire(info, holder, leaseTtlMs);
      if (lease || Date.now() >= giveUpAt) return lease;
      await sleep(Math.max(20, Math.floor(leaseTtlMs / 10)));
    }
  }

  /** The opening of the call this instance drives now. */
  current(call: CallRef): OwnedCall | undefined {
    return this.owned.get(callKey(call));
  }

  /** Every call this instance drives now. */
  driven(): OwnedCall[] {
    return [...this.owned.values()];
  }

  /** From now on `call` is the opening of its call this instance drives. */
  drive(call: OwnedCall): void {
    this.owned.set(callKey(call.info), call);
  }

  /** Stops driving the call (if it did) and gives its lease up: another instance may take it at once. */
  async release(call: Pick<OwnedCall, 'info' | 'lease'>): Promise<void> {
    this.owned.delete(callKey(call.info));
    await this.options.store.leases.release(call.info, call.lease);
  }

  /**
   * Runs a fenced write of a call not yet ended. When the lease was lost but is free, it is taken
   * back; when the numbering does not follow, the store lost writes or another holder wrote. Either
   * way the call is brought in line with the store (resync) and the write runs once more.
   */
  async write(call: OwnedCall, attempt: () => Promise<void>): Promise<void> {
    if (call.ended || this.current(call.info) !== call)
      throw new FencedError(`call ${call.info.callId}: this opening has ended`);
    try {
      await attempt();
    } catch (error) {
      if (error instanceof FencedError) this.options.metrics.fencingRejections.inc();
      const recovered = error instanceof FencedError ? await this.retake(call) : error instanceof NumberingError;
      if (!recovered) throw error;
      await this.resync(call);
      await attempt();
    }
  }

  /** Renews the lease of every call this instance drives; a call another instance took is given up. */
  async renewLeases(): Promise<void> {
    const { store, leaseTtlMs } = this.options;
    await Promise.all(
      [...this.owned.values()].map(async (call) => {
        try {
          if (!(await store.leases.renew(call.info, call.lease, leaseTtlMs))) await this.retake(call);
        } catch {
          // Redis unreachable: the next round tries again (the lease may run out meanwhile; fencing keeps that safe).
        }
      }),
    );
  }

  /** Stops renewing leases (as a crash would: the leases run out by themselves). */
  close(): void {
    clearInterval(this.renewal);
  }

  /** Gives up every lease this instance holds (a clean shutdown): another instance may take the calls over at once. */
  async releaseLeases(): Promise<void> {
    const calls = [...this.owned.values()];
    this.owned.clear();
    await Promise.all(
      calls.map((call) => this.options.store.leases.release(call.info, call.lease).catch(() => undefined)),
    );
  }

  /**
   * Takes the lease again; false (and onLost) when another instance holds it, or held it meanwhile:
   * a token beyond the next means another took the call over (and may have ended it) and gave it up.
   */
  private async retake(call: OwnedCall): Promise<boolean> {
    const { store, holder, leaseTtlMs } = this.options;
    const lease = await store.leases.acquire(call.info, holder, leaseTtlMs);
    const heldMeanwhile = lease !== undefined && lease.token > call.lease.token + 1;
    if (heldMeanwhile) await store.leases.release(call.info, lease);
    if (!lease || heldMeanwhile) {
      this.owned.delete(callKey(call.info));
      this.options.metrics.leasesLost.inc();
      this.options.onLost?.(call.info);
      return false;
    }
    call.lease = lease;
    return true;
  }

  /**
   * Whose view of the call holds: the store's, when it has all this instance wrote (and maybe more,
   * from another holder); else this instance's, when the store lost writes (Redis restarted
   * without its last second), which is written back: same epoch, the lost cues a gap in the log.
   * Either way a signed-webhooks mark this opening wrote is written again: the numbering does not
   * tell whether the store kept it.
   */
  private async resync(call: OwnedCall): Promise<void> {
    const { store } = this.options;
    const [numbering, ladder] = await Promise.all([store.cues.numbering(call.info), store.ladders.load(call.info)]);
    if (numbering.epoch === call.epoch && numbering.lastSeq >= call.lastSeq)
      Object.assign(call, { lastSeq: numbering.lastSeq, ladder: ladder ?? initialLadderState() });
    else await store.ladders.restore(call.info, call.lease, { epoch: call.epoch, lastSeq: call.lastSeq }, call.ladder);
    if (call.signedWebhooksOnly) await store.signedWebhooks.mark(call.info, call.lease);
  }
}
