import { PRIORITIES, type Priority } from './classifier.js';

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

/** Which request of a priority a full queue pushes out: the oldest partial is the stalest revision; otherwise the newest, whose caller has waited least. */
const pushedOutFirst: Record<Priority, 'oldest' | 'newest'> = { final: 'newest', partial: 'oldest', bulk: 'newest' };

/** One lane's waiting requests, by priority (a lane is whoever shares the model: the service uses the tenant). */
class Lane<I, O> {
  readonly #queues: Record<Priority, Array<Pending<I, O>>> = { final: [], partial: [], bulk: [] };
  size = 0;

  add(pending: Pending<I, O>, priority: Priority): void {
    this.#queues[priority].push(pending);
    this.size++;
  }

  /** The oldest request of the highest priority waiting; only called on a lane that holds one. */
  take(): Pending<I, O> {
    const priority = PRIORITIES.find((p) => this.#queues[p].length > 0)!;
    this.size--;
    return this.#queues[priority].shift()!;
  }

  /** Removes and returns a request of the lowest priority waiting, if it ranks below `above` (any, if not given). */
  pushOut(above?: Priority): Pending<I, O> | undefined {
    const highest = above === undefined ? 0 : PRIORITIES.indexOf(above) + 1;
    for (let rank = PRIORITIES.length - 1; rank >= highest; rank--) {
      const priority = PRIORITIES[rank]!;
      const queue = this.#queues[priority];
      if (queue.length === 0) continue;
      this.size--;
      return pushedOutFirst[priority] === 'oldest' ? queue.shift() : queue.pop();
    }
    return undefined;
  }
}

/**
 * Gathers concurrent requests into batches of at most `batchMaxSize`, runs one batch at a time,
 * and resolves each caller with its own result. Lanes (tenants) share each batch in turn: it takes
 * one request from each lane with work waiting, round-robin, so a lane that floods the queue, with
 * any priority, delays the others by at most its turn. Within a lane, finals go before partials
 * and partials before bulk texts (PRIORITIES). When the queue is full, a lane below its share
 * (queueMax / lanes waiting) pushes out the fullest lane's lowest-priority request, whatever its
 * own priority; any other lane may push out only one of its own that ranks below the new request.
 * A request pushed out is rejected as if the queue had been full (see `pushedOutFirst`).
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
      const pushedOut = this.#makeRoomFor(lane, priority);
      if (!pushedOut) return Promise.reject(new QueueFullError(this.#options.queueMax));
      pushedOut.reject(new QueueFullError(this.#options.queueMax));
    }
    return new Promise<O>((resolve, reject) => {
      let queues = this.#lanes.get(lane);
      if (!queues) this.#lanes.set(lane, (queues = new Lane()));
      queues.add({ input, enqueuedAt: performance.now(), resolve, reject }, priority);
      this.#depth++;
      this.#schedule();
    });
  }

  /** Makes room in a full queue for a request of lane `name`, if it deserves it: the request pushed out, or undefined. */
  #makeRoomFor(name: string, priority: Priority): Pending<I, O> | undefined {
    const own = this.#lanes.get(name);
    const share = Math.floor(this.#options.queueMax / (this.#lanes.size + (own ? 0 : 1)));
    if ((own?.size ?? 0) >= share) return own && this.#pushOut(name, own, priority);
    // Under its share in a full queue, so the fullest lane is another one, holding more than its share.
    const [fullestName, fullest] = [...this.#lanes].reduce((most, next) => (next[1].size > most[1].size ? next : most));
    return this.#pushOut(fullestName, fullest);
  }

  #pushOut(name: string, lane: Lane<I, O>, above?: Priority): Pending<I, O> | undefined {
    const pushedOut = lane.pushOut(above);
    if (!pushedOut) return undefined;
    this.#depth--;
    if (lane.size === 0) this.#lanes.delete(name);
    return pushedOut;
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

  /** Up to `count` requests, one from each lane in turn, each lane's highest priority first. */
  #take(count: number): Array<Pending<I, O>> {
    const batch: Array<Pending<I, O>> = [];
    while (batch.length < count && this.#lanes.size > 0) {
      const [name, lane] = this.#lanes.entries().next().value!;
      batch.push(lane.take());
      // A served lane goes to the back of the line; an empty one leaves it.
      this.#lanes.delete(name);
      if (lane.size > 0) this.#lanes.set(name, lane);
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
