import type { Priority } from './verdict.js';

export class QueueFullError extends Error {
  readonly code = 'queue_full';
  constructor(limit: number) {
    super(`classifier queue is full (${limit} requests waiting); retry shortly`);
    this.name = 'QueueFullError';
  }
}

export class BatcherClosedError extends Error {
  readonly code = 'closed';
  constructor() {
    super('classifier is shutting down');
    this.name = 'BatcherClosedError';
  }
}

export interface BatchInfo {
  size: number;
  /** How long the oldest request in the batch waited before the batch started. */
  waitedMs: number;
  runMs: number;
}

export interface MicroBatcherOptions<I, O> {
  maxBatch: number;
  /** How long the first request of a batch may wait for company; 0 gathers one event-loop turn. */
  maxWaitMs: number;
  /** Requests waiting (not running) beyond which new ones are refused. */
  maxQueue: number;
  runBatch(inputs: I[]): Promise<O[]>;
  onBatch?(info: BatchInfo): void;
}

interface Pending<I, O> {
  input: I;
  enqueuedAt: number;
  resolve(output: O): void;
  reject(error: unknown): void;
}

/**
 * Gathers concurrent requests into batches of at most `maxBatch`, runs one batch at a time,
 * and resolves each caller with its own result. Finals go before partials; within a priority,
 * first come first served. When the queue is full a final pushes out the oldest partial.
 */
export class MicroBatcher<I, O> {
  readonly #options: MicroBatcherOptions<I, O>;
  readonly #queues: Record<Priority, Array<Pending<I, O>>> = { final: [], partial: [] };
  #timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  #running: Promise<void> | undefined;
  #closed = false;

  constructor(options: MicroBatcherOptions<I, O>) {
    if (options.maxBatch < 1) throw new RangeError('maxBatch must be at least 1');
    if (options.maxQueue < 1) throw new RangeError('maxQueue must be at least 1');
    this.#options = options;
  }

  get depth(): number {
    return this.#queues.final.length + this.#queues.partial.length;
  }

  submit(input: I, priority: Priority = 'final'): Promise<O> {
    if (this.#closed) return Promise.reject(new BatcherClosedError());
    if (this.depth >= this.#options.maxQueue) {
      const evicted = priority === 'final' ? this.#queues.partial.shift() : undefined;
      if (!evicted) return Promise.reject(new QueueFullError(this.#options.maxQueue));
      evicted.reject(new QueueFullError(this.#options.maxQueue));
    }
    return new Promise<O>((resolve, reject) => {
      this.#queues[priority].push({ input, enqueuedAt: performance.now(), resolve, reject });
      this.#schedule();
    });
  }

  /** Refuses new requests and resolves once everything already queued has run. */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#running || this.depth > 0) {
      if (!this.#running) this.#flush();
      await this.#running;
    }
  }

  #schedule(): void {
    if (this.#running) return; // the running batch flushes again when it ends
    if (this.depth >= this.#options.maxBatch) {
      this.#flush();
    } else if (!this.#timer) {
      const flush = () => this.#flush();
      this.#timer = this.#options.maxWaitMs > 0 ? setTimeout(flush, this.#options.maxWaitMs) : setImmediate(flush);
    }
  }

  #flush(): void {
    this.#clearTimer();
    if (this.#running || this.depth === 0) return;
    const batch = this.#take(this.#options.maxBatch);
    this.#running = this.#run(batch).finally(() => {
      this.#running = undefined;
      // Whatever arrived meanwhile has already waited a whole batch: run it at once.
      if (this.depth > 0) this.#flush();
    });
  }

  #take(count: number): Array<Pending<I, O>> {
    const batch = this.#queues.final.splice(0, count);
    return batch.concat(this.#queues.partial.splice(0, count - batch.length));
  }

  async #run(batch: Array<Pending<I, O>>): Promise<void> {
    const started = performance.now();
    try {
      const outputs = await this.#options.runBatch(batch.map((pending) => pending.input));
      if (outputs.length !== batch.length) {
        throw new Error(`batch returned ${outputs.length} results for ${batch.length} inputs`);
      }
      batch.forEach((pending, i) => pending.resolve(outputs[i]!));
    } catch (error) {
      for (const pending of batch) pending.reject(error);
    }
    this.#options.onBatch?.({
      size: batch.length,
      waitedMs: started - batch[0]!.enqueuedAt,
      runMs: performance.now() - started,
    });
  }

  #clearTimer(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer as NodeJS.Timeout);
    clearImmediate(this.#timer as NodeJS.Immediate);
    this.#timer = undefined;
  }
}
