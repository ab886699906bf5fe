import type { RecordWrite } from './incident-store.js';

export interface WriteQueueOptions {
  /** Writes held at most; beyond this a write is dropped and counted, never waited for. */
  maxQueue: number;
  /** Writes per transaction at most. */
  maxBatch: number;
  /** How long the first write waits for company before its batch is written. */
  flushMs: number;
  /** After a failed batch, how long before it is tried again (it stays first in line). */
  retryMs: number;
}

export interface WriteQueueHooks {
  write(batch: readonly RecordWrite[]): Promise<void>;
  onWritten(count: number): void;
  onDropped(): void;
  onFailed(error: unknown): void;
}

/**
 * Keeps the record off the cue path: the recorder pushes and returns at once; batches are written
 * one transaction at a time on a later turn. A full queue drops the new write and counts it.
 */
export class WriteQueue {
  private readonly pending: RecordWrite[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** Set by drain, which writes what is left itself, one batch at a time. */
  private draining = false;

  constructor(
    private readonly options: WriteQueueOptions,
    private readonly hooks: WriteQueueHooks,
  ) {}

  get depth(): number {
    return this.pending.length;
  }

  push(write: RecordWrite): boolean {
    if (this.pending.length >= this.options.maxQueue) {
      this.hooks.onDropped();
      return false;
    }
    this.pending.push(write);
    this.schedule(this.options.flushMs);
    return true;
  }

  /**
   * Writes everything queued (shutdown), one batch at a time after the one in flight; a batch that
   * keeps failing is given up on after one more try. The queue writes nothing by itself afterwards.
   */
  async drain(): Promise<void> {
    this.draining = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    while (this.pending.length > 0) {
      if (!(await this.flushOnce())) break;
    }
  }

  private schedule(delayMs: number): void {
    if (this.timer !== undefined || this.running !== undefined || this.draining) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.flushOnce().then((ok) => {
        this.running = undefined;
        if (this.pending.length > 0) this.schedule(ok ? 0 : this.options.retryMs);
      });
    }, delayMs);
    this.timer.unref();
  }

  private async flushOnce(): Promise<boolean> {
    const batch = this.pending.splice(0, this.options.maxBatch);
    try {
      await this.hooks.write(batch);
      this.hooks.onWritten(batch.length);
      return true;
    } catch (error) {
      this.pending.unshift(...batch);
      this.hooks.onFailed(error);
      return false;
    }
  }
}
