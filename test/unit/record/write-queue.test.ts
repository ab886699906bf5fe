import { describe, expect, it } from 'vitest';
import type { RecordWrite } from '../../../src/record/incident-store.js';
import { WriteQueue } from '../../../src/record/write-queue.js';

const write = (n: number): RecordWrite => ({ kind: 'ended', tenant: 't', callId: `c${n}`, epoch: 'e', at: n });

function harness(fail = 0) {
  const batches: RecordWrite[][] = [];
  const counts = { written: 0, dropped: 0, failed: 0 };
  let failuresLeft = fail;
  const queue = new WriteQueue(
    { maxQueue: 5, maxBatch: 2, flushMs: 0, retryMs: 1 },
    {
      async write(batch) {
        if (failuresLeft-- > 0) throw new Error('database away');
        batches.push([...batch]);
      },
      onWritten: (n) => (counts.written += n),
      onDropped: () => (counts.dropped += 1),
      onFailed: () => (counts.failed += 1),
    },
  );
  return { queue, batches, counts };
}

describe('the record write queue', () => {
  it('writes in order, in batches, off the caller', async () => {
    const { queue, batches, counts } = harness();
    for (let i = 0; i < 5; i++) expect(queue.push(write(i))).toBe(true);
    expect(batches).toEqual([]);
    await queue.drain();
    expect(batches.flat().map((w) => w.at)).toEqual([0, 1, 2, 3, 4]);
    expect(Math.max(...batches.map((b) => b.length))).toBe(2);
    expect(counts).toEqual({ written: 5, dropped: 0, failed: 0 });
  });

  it('drops and counts what does not fit, never waiting', async () => {
    const { queue, counts } = harness();
    for (let i = 0; i < 7; i++) queue.push(write(i));
    expect(counts.dropped).toBe(2);
    await queue.drain();
    expect(counts.written).toBe(5);
  });

  it('keeps a failed batch first in line and writes it once the database is back', async () => {
    const { queue, batches, counts } = harness(2);
    queue.push(write(1));
    queue.push(write(2));
    queue.push(write(3));
    while (counts.written < 3) await new Promise((resolve) => setTimeout(resolve, 2));
    expect(counts.failed).toBe(2);
    expect(batches.flat().map((w) => w.at)).toEqual([1, 2, 3]);
  });

  it('drains after the batch in flight, one batch at a time, and returns once the last is written', async () => {
    let inFlight = 0;
    let mostInFlight = 0;
    const written: number[] = [];
    const queue = new WriteQueue(
      { maxQueue: 10, maxBatch: 2, flushMs: 0, retryMs: 1 },
      {
        async write(batch) {
          mostInFlight = Math.max(mostInFlight, ++inFlight);
          await new Promise((resolve) => setTimeout(resolve, 5));
          inFlight--;
          written.push(...batch.map((w) => w.at));
        },
        onWritten: () => undefined,
        onDropped: () => undefined,
        onFailed: () => undefined,
      },
    );
    for (let i = 0; i < 6; i++) queue.push(write(i));
    await new Promise((resolve) => setTimeout(resolve, 1)); // the first batch is being written
    await queue.drain();
    expect(inFlight).toBe(0);
    expect(written).toEqual([0, 1, 2, 3, 4, 5]);
    expect(mostInFlight).toBe(1);
  });
});
