import type { Priority } from './classifier.js';

export class QueueFullError extends Error {
  constructor(limit: number) {
    super(`classifier queue is full (${limit} requests waiting); retry shortly`);
    this.name = 'QueueFullError';
  }
}

export class BatcherClosedError extends Error {
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

/** Set by BATCH_MAX_SIZE, BATCH_MAX_WAIT_MS and QUEUE_MAX (README, "Configuration"). */
export interface BatchSettings {
  /** Most requests in one batch. */
  batchMaxSize: number;
  /** How long the first request of a batch may wait for company; 0 gathers one event-loop turn. */
  batchMaxWaitMs: number;
  /** Requests waiting (not running) beyond which new ones are refused. */
  queueMax: number;
}

export const batchDefaults: BatchSettings = { batchMaxSize: 32, batchMaxWaitMs: 2, queueMax: 2048 };

export interface MicroBatcherOptions<I, O> extends BatchSettings {
  runBatch(inputs: I[]): Promise<O[]>;
  onBatch?(info: BatchInfo): void;
}

interface Pending<I, O> {
  input: I;
  enqueuedAt: number;
  resolve(output: O): void;
  reject(error: unknown): void;
}

/** One lane's waiting requests (a lane is whoever shares the model: the service uses the tenant). */
type Lane<I, O> = Record<Priority, Array<Pending<I, O>>>;

const laneDepth = (lane: Lane<unknown, unknown>): number => lane.final.length + lane.partial.length;

/**
 * Gathers concurrent requests into batches of at most `batchMaxSize`, runs one batch at a time,
 * and resolves each caller with its own result. Finals go before partials; each batch takes
 * finals from the lanes in turn (round-robin), then partials the same way, so a lane that floods
 * the queue delays the others by at most its turn. When the queue is full a final pushes out a
 * partial of the fullest lane; a lane below its share (queueMax / lanes waiting) may push out the
 * newest request of the fullest lane, which its caller sees as a full queue.
 */
export class MicroBatcher<I, O> {
  readonly #options: MicroBatcherOptions<I, O>;
  /** Lanes with waiting requests, in the order they are next served. */
  readonly #lanes = new Map<string, Lane<I, O>>();
  #depth = 0;
  #timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  #running: Promise<void> | undefined;
  #closed = false;

  constructor(options: MicroBatcherOptions<I, O>) {
    if (options.batchMaxSize < 1) throw new RangeError('batchMaxSize must be at least 1');
    if (options.queueMax < 1) throw new RangeError('queueMax must be at least 1');
    this.#options = options;
  }

  get depth(): number {
    return this.#depth;
  }

  submit(input: I, priority: Priority = 'final', lane = ''): Promise<O> {
    if (this.#closed) return Promise.reject(new BatcherClosedError());
    if (this.#depth >= this.#options.queueMax) {
      const evicted = this.#evictFor(lane, priority);
      if (!evicted) return Promise.reject(new QueueFullError(this.#options.queueMax));
      evicted.reject(new QueueFullError(this.#options.queueMax));
    }
    return new Promise<O>((resolve, reject) => {
      let queues = this.#lanes.get(lane);
      if (!queues) this.#lanes.set(lane, (queues = { final: [], partial: [] }));
      queues[priority].push({ input, enqueuedAt: performance.now(), resolve, reject });
      this.#depth++;
      this.#schedule();
    });
  }

  /** Makes room for a request of `lane` in a full queue, if it deserves it: the request pushed out, or undefined. */
  #evictFor(lane: string, priority: Priority): Pending<I, O> | undefined {
    let fullest: string | undefined;
    let fullestWithPartials: string | undefined;
    const depthOf = (name: string | undefined): number => (name === undefined ? 0 : laneDepth(this.#lanes.get(name)!));
    for (const [name, queues] of this.#lanes) {
      if (depthOf(name) > depthOf(fullest)) fullest = name;
      if (queues.partial.length > 0 && depthOf(name) > depthOf(fullestWithPartials)) fullestWithPartials = name;
    }
    if (priority === 'final' && fullestWithPartials !== undefined)
      return this.#remove(fullestWithPartials, 'partial', 'oldest');
    const own = this.#lanes.has(lane);
    const share = Math.floor(this.#options.queueMax / (this.#lanes.size + (own ? 0 : 1)));
    const ownDepth = own ? depthOf(lane) : 0;
    if (fullest === undefined || fullest === lane || ownDepth >= share || depthOf(fullest) <= ownDepth + 1)
      return undefined;
    if (this.#lanes.get(fullest)!.partial.length > 0) return this.#remove(fullest, 'partial', 'newest');
    return priority === 'final' ? this.#remove(fullest, 'final', 'newest') : undefined;
  }

  #remove(name: string, priority: Priority, which: 'oldest' | 'newest'): Pending<I, O> | undefined {
    const lane = this.#lanes.get(name)!;
    const removed = which === 'oldest' ? lane[priority].shift() : lane[priority].pop();
    if (removed) this.#depth--;
    if (laneDepth(lane) === 0) this.#lanes.delete(name);
    return removed;
  }

  /** Refuses new requests and resolves once everything already queued has run. */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#running || this.#depth > 0) {
      if (!this.#running) this.#flush();
      await this.#running;
    }
  }

  #schedule(): void {
    if (this.#running) return; // the running batch flushes again when it ends
    if (this.#depth >= this.#options.batchMaxSize) {
      this.#flush();
    } else if (!this.#timer) {
      const flush = () => this.#flush();
      this.#timer =
        this.#options.batchMaxWaitMs > 0 ? setTimeout(flush, this.#options.batchMaxWaitMs) : setImmediate(flush);
    }
  }

  #flush(): void {
    this.#clearTimer();
    if (this.#running || this.#depth === 0) return;
    const batch = this.#take(this.#options.batchMaxSize);
    this.#running = this.#run(batch).finally(() => {
      this.#running = undefined;
      // Whatever arrived meanwhile has already waited a whole batch: run it at once.
      if (this.#depth > 0) this.#flush();
    });
  }

  #take(count: number): Array<Pending<I, O>> {
    const batch: Array<Pending<I, O>> = [];
    for (const priority of ['final', 'partial'] as const) {
      let served = true;
      while (batch.length < count && served) {
        served = false;
        for (const [name, lane] of [...this.#lanes]) {
          if (batch.length >= count) break;
          const next = lane[priority].shift();
          if (!next) continue;
          batch.push(next);
          served = true;
          // Served lanes go to the back of the line; empty ones leave it.
          this.#lanes.delete(name);
          if (laneDepth(lane) > 0) this.#lanes.set(name, lane);
        }
      }
    }
    this.#depth -= batch.length;
    return batch;
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
