import { callKey, type CallInfo, type CallRef, type CallStore } from './call-state.js';

interface OrphanSweepOptions {
  store: CallStore;
  /** Whether this instance drives the call. */
  drives: (call: CallRef) => boolean;
  onOrphan: (info: CallInfo, signedWebhooksOnly: boolean) => void;
  everyMs: number;
  onError?: (error: unknown) => void;
}

/**
 * Finds live calls nobody drives (their instance died and no producer came back) and hands each
 * to onOrphan once two sweeps in a row (a lease apart) found it without a lease: an owner that
 * lives renews its lease every third of one.
 */
export class OrphanSweep {
  private readonly timer: NodeJS.Timeout;
  /** Live calls the last sweep found without a lease. */
  private leaseless = new Set<string>();

  constructor(private readonly options: OrphanSweepOptions) {
    this.timer = setInterval(
      () => void this.sweep().catch((error: unknown) => options.onError?.(error)),
      options.everyMs,
    ).unref();
  }

  async sweep(): Promise<void> {
    const { store, drives, onOrphan } = this.options;
    const found = new Set<string>();
    for (const tenant of await store.directory.tenants()) {
      for (const { info, summary } of await store.directory.list(tenant)) {
        const key = callKey(info);
        if (summary.ended || drives(info) || (await store.leases.held(info))) continue;
        found.add(key);
        if (this.leaseless.has(key)) onOrphan(info, await store.signedWebhooks.marked(info));
      }
    }
    this.leaseless = found;
  }

  close(): void {
    clearInterval(this.timer);
  }
}
