import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  BatcherClosedError,
  MicroBatcher,
  QueueFullError,
  type BatchInfo,
} from '../../src/classifier/micro-batcher.js';

/** A batcher whose batches are recorded and whose runs finish only when the test says so. */
function recordingBatcher(options: { batchMaxSize?: number; batchMaxWaitMs?: number; queueMax?: number } = {}) {
  const batches: string[][] = [];
  const infos: BatchInfo[] = [];
  let release: (() => void) | undefined;
  let hold = false;
  const batcher = new MicroBatcher<string, string>({
    batchMaxSize: options.batchMaxSize ?? 4,
    batchMaxWaitMs: options.batchMaxWaitMs ?? 10,
    queueMax: options.queueMax ?? 100,
    onBatch: (info) => infos.push(info),
    async runBatch(inputs) {
      batches.push(inputs);
      if (hold) await new Promise<void>((resolve) => (release = resolve));
      return inputs.map((input) => input.toUpperCase());
    },
  });
  return {
    batcher,
    batches,
    infos,
    holdBatches: () => (hold = true),
    releaseBatch: () => {
      hold = false;
      release?.();
    },
  };
}

/** What a request came to: its result, or 'queue full' if it was refused or pushed out. */
const outcome = (request: Promise<string>): Promise<string> =>
  request.catch((error: unknown) => {
    if (error instanceof QueueFullError) return 'queue full';
    throw error;
  });

afterEach(() => {
  vi.useRealTimers();
});

describe('MicroBatcher', () => {
  it('resolves each caller with its own result, in submission order', async () => {
    const { batcher, batches } = recordingBatcher({ batchMaxSize: 8 });
    const results = await Promise.all(['a', 'b', 'c'].map((text) => batcher.submit(text)));
    expect(results).toEqual(['A', 'B', 'C']);
    expect(batches).toEqual([['a', 'b', 'c']]);
  });

  it('runs a full batch at once without waiting for the timer', async () => {
    vi.useFakeTimers();
    const { batcher, batches } = recordingBatcher({ batchMaxSize: 2, batchMaxWaitMs: 1_000 });
    const pending = Promise.all([batcher.submit('a'), batcher.submit('b')]);
    await vi.advanceTimersByTimeAsync(0);
    expect(batches).toEqual([['a', 'b']]);
    await expect(pending).resolves.toEqual(['A', 'B']);
  });

  it('waits at most batchMaxWaitMs for a batch to fill', async () => {
    vi.useFakeTimers();
    const { batcher, batches, infos } = recordingBatcher({ batchMaxSize: 8, batchMaxWaitMs: 50 });
    const pending = batcher.submit('lonely');
    await vi.advanceTimersByTimeAsync(49);
    expect(batches).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(batches).toEqual([['lonely']]);
    await expect(pending).resolves.toBe('LONELY');
    expect(infos[0]?.waitedMs).toBeGreaterThanOrEqual(50);
  });

  it('splits a burst larger than batchMaxSize into several batches', async () => {
    const { batcher, batches } = recordingBatcher({ batchMaxSize: 3 });
    const texts = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    await expect(Promise.all(texts.map((t) => batcher.submit(t)))).resolves.toEqual(texts.map((t) => t.toUpperCase()));
    expect(batches.map((b) => b.length)).toEqual([3, 3, 1]);
    expect(batches.flat()).toEqual(texts);
  });

  it('puts finals ahead of partials that were queued earlier', async () => {
    const { batcher, batches, holdBatches, releaseBatch } = recordingBatcher({ batchMaxSize: 2 });
    holdBatches();
    const first = batcher.submit('running-1');
    const second = batcher.submit('running-2');
    await vi.waitFor(() => expect(batches).toHaveLength(1));
    const queued = [
      batcher.submit('partial-1', 'partial'),
      batcher.submit('partial-2', 'partial'),
      batcher.submit('final-1', 'final'),
    ];
    releaseBatch();
    await Promise.all([first, second, ...queued]);
    expect(batches.slice(1)).toEqual([['final-1', 'partial-1'], ['partial-2']]);
  });

  it('refuses requests beyond queueMax with QueueFullError, and recovers', async () => {
    const { batcher, batches, holdBatches, releaseBatch } = recordingBatcher({ batchMaxSize: 1, queueMax: 2 });
    holdBatches();
    const running = batcher.submit('running');
    await vi.waitFor(() => expect(batches).toHaveLength(1));
    const queued = [batcher.submit('q1'), batcher.submit('q2')];
    await expect(batcher.submit('overflow')).rejects.toBeInstanceOf(QueueFullError);
    expect(batcher.depth).toBe(2);
    releaseBatch();
    await expect(Promise.all([running, ...queued])).resolves.toEqual(['RUNNING', 'Q1', 'Q2']);
    await expect(batcher.submit('after')).resolves.toBe('AFTER');
  });

  it('lets a final push out the oldest partial when the queue is full', async () => {
    const { batcher, batches, holdBatches, releaseBatch } = recordingBatcher({ batchMaxSize: 1, queueMax: 2 });
    holdBatches();
    const running = batcher.submit('running');
    await vi.waitFor(() => expect(batches).toHaveLength(1));
    const oldPartial = batcher.submit('old-partial', 'partial');
    const newPartial = batcher.submit('new-partial', 'partial');
    const final = batcher.submit('final', 'final');
    await expect(oldPartial).rejects.toBeInstanceOf(QueueFullError);
    releaseBatch();
    await expect(Promise.all([running, final, newPartial])).resolves.toEqual(['RUNNING', 'FINAL', 'NEW-PARTIAL']);
  });

  it('rejects every request of a failing batch and keeps serving the next', async () => {
    let fail = true;
    const batcher = new MicroBatcher<string, string>({
      batchMaxSize: 4,
      batchMaxWaitMs: 0,
      queueMax: 10,
      async runBatch(inputs) {
        if (fail) throw new Error('inference failed');
        return inputs;
      },
    });
    const failing = [batcher.submit('a'), batcher.submit('b')];
    await expect(failing[0]).rejects.toThrow('inference failed');
    await expect(failing[1]).rejects.toThrow('inference failed');
    fail = false;
    await expect(batcher.submit('c')).resolves.toBe('c');
  });

  it('rejects a batch that returns the wrong number of results', async () => {
    const batcher = new MicroBatcher<string, string>({
      batchMaxSize: 4,
      batchMaxWaitMs: 0,
      queueMax: 10,
      runBatch: async () => [],
    });
    await expect(batcher.submit('a')).rejects.toThrow('0 results for 1 inputs');
  });

  it('drains queued work on close and refuses new work afterwards', async () => {
    const { batcher } = recordingBatcher({ batchMaxSize: 2, batchMaxWaitMs: 1_000 });
    const queued = [batcher.submit('a'), batcher.submit('b'), batcher.submit('c')];
    await batcher.close();
    await expect(Promise.all(queued)).resolves.toEqual(['A', 'B', 'C']);
    await expect(batcher.submit('late')).rejects.toBeInstanceOf(BatcherClosedError);
  });

  it('shares the model between lanes: a lane that floods the queue cannot crowd out another’s finals', async () => {
    const { batcher, batches, holdBatches, releaseBatch } = recordingBatcher({ batchMaxSize: 2, queueMax: 8 });
    holdBatches();
    const running = batcher.submit('running', 'final', 'b');
    await vi.waitFor(() => expect(batches).toHaveLength(1));
    const flood = Array.from({ length: 20 }, (_, i) =>
      batcher.submit(`b${i}`, 'final', 'b').then(
        () => 'ok',
        (error: unknown) => error,
      ),
    );
    const quiet = ['a0', 'a1', 'a2'].map((text) => batcher.submit(text, 'final', 'a'));
    expect(batcher.depth).toBe(8);
    releaseBatch();
    await expect(Promise.all(quiet)).resolves.toEqual(['A0', 'A1', 'A2']);
    await running;
    const outcomes = await Promise.all(flood);
    // The flooding lane lost its newest waiting finals to make room, and its callers were told.
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(5);
    expect(outcomes.filter((o) => o instanceof QueueFullError)).toHaveLength(15);
    // Lanes take turns within each batch.
    expect(batches.slice(1, 4)).toEqual([
      ['b0', 'a0'],
      ['b1', 'a1'],
      ['b2', 'a2'],
    ]);
  });

  it('gives every lane its turn in each batch, whatever the priorities: one lane’s finals do not hold back another’s partials', async () => {
    const { batcher, batches, holdBatches, releaseBatch } = recordingBatcher({ batchMaxSize: 2 });
    holdBatches();
    const running = batcher.submit('running');
    await vi.waitFor(() => expect(batches).toHaveLength(1));
    const queued = [
      ...['a0', 'a1', 'a2', 'a3'].map((t) => batcher.submit(t, 'final', 'a')),
      batcher.submit('b-partial', 'partial', 'b'),
    ];
    releaseBatch();
    await Promise.all([running, ...queued]);
    expect(batches.slice(1)).toEqual([['a0', 'b-partial'], ['a1', 'a2'], ['a3']]);
  });

  // This replaces "a partial never pushes out a final": across lanes that rule let one lane's finals
  // (or bulk texts sent as finals) keep the whole queue, so another lane's partials were refused.
  it('lets a lane under its share push out the newest request of the fullest lane, even a final', async () => {
    const { batcher, batches, holdBatches, releaseBatch } = recordingBatcher({ batchMaxSize: 2, queueMax: 4 });
    holdBatches();
    const running = batcher.submit('running');
    await vi.waitFor(() => expect(batches).toHaveLength(1));
    const outcomes = [
      batcher.submit('a-partial', 'partial', 'a'),
      ...['b0', 'b1', 'b2'].map((t) => batcher.submit(t, 'final', 'b')),
      batcher.submit('a-partial-2', 'partial', 'a'),
    ].map(outcome);
    releaseBatch();
    await running;
    expect(await Promise.all(outcomes)).toEqual(['A-PARTIAL', 'B0', 'B1', 'queue full', 'A-PARTIAL-2']);
    expect(batches.slice(1)).toEqual([
      ['a-partial', 'b0'],
      ['a-partial-2', 'b1'],
    ]);
  });

  it('pushes out from the fullest lane only: a lane’s final never takes the partial of a lane under its share', async () => {
    const { batcher, batches, holdBatches, releaseBatch } = recordingBatcher({ batchMaxSize: 1, queueMax: 4 });
    holdBatches();
    const running = batcher.submit('running');
    await vi.waitFor(() => expect(batches).toHaveLength(1));
    const outcomes = [
      batcher.submit('a-partial', 'partial', 'a'),
      batcher.submit('b-partial', 'partial', 'b'),
      ...['a0', 'a1', 'a2', 'a3'].map((t) => batcher.submit(t, 'final', 'a')),
    ].map(outcome);
    releaseBatch();
    await running;
    // The fullest lane gives up its own partial for its final (a2), then has nothing lower to give (a3).
    expect(await Promise.all(outcomes)).toEqual(['queue full', 'B-PARTIAL', 'A0', 'A1', 'A2', 'queue full']);
  });

  it('puts a lane’s bulk texts behind its finals and partials, and pushes them out first', async () => {
    const { batcher, batches, holdBatches, releaseBatch } = recordingBatcher({ batchMaxSize: 2, queueMax: 4 });
    holdBatches();
    const running = batcher.submit('running');
    await vi.waitFor(() => expect(batches).toHaveLength(1));
    const queued = [
      batcher.submit('bulk-1', 'bulk'),
      batcher.submit('partial', 'partial'),
      batcher.submit('final-1', 'final'),
    ];
    const newestBulk = batcher.submit('bulk-2', 'bulk');
    const final = batcher.submit('final-2', 'final');
    await expect(newestBulk).rejects.toBeInstanceOf(QueueFullError);
    releaseBatch();
    await Promise.all([running, ...queued, final]);
    expect(batches.slice(1)).toEqual([
      ['final-1', 'final-2'],
      ['partial', 'bulk-1'],
    ]);
  });
});
