import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ClassificationScheduler, type FinalVerdict } from '../../src/calls/classification-scheduler.js';
import type { Priority } from '../../src/classifier/classifier.js';
import { QueueFullError } from '../../src/classifier/micro-batcher.js';
import type { TranscriptChunk } from '../../src/protocol/transcript-chunk.js';
import type { ContextTurn, Label } from '../../src/protocol/verdict.js';
import { confidentVerdict } from '../helpers/keyword-classifier.js';

const DEBOUNCE_MS = 100;

/** A classification the test answers (or fails) when it chooses. */
interface Ask {
  text: string;
  priority: Priority;
  context: readonly ContextTurn[];
  answer(label: Label): void;
  fail(error: Error): void;
}

function setup() {
  const asks: Ask[] = [];
  const latest = new Map<string, number>();
  const labelled: string[] = [];
  const handed: string[] = [];
  const failures: string[] = [];
  const scheduler = new ClassificationScheduler(
    {
      classify: (text, priority, _speaker, context) =>
        new Promise((resolve, reject) =>
          asks.push({ text, priority, context, answer: (label) => resolve(confidentVerdict(label)), fail: reject }),
        ),
      isLatest: (chunk) => latest.get(chunk.segmentId) === chunk.seq,
      labelPartial: async (chunk, verdict) => void labelled.push(`${chunk.text}: ${verdict.label}`),
      failed: (where) => void failures.push(where),
      partialDebounceMs: DEBOUNCE_MS,
      keptPartialVerdicts: 8,
    },
    Promise.resolve(),
  );
  /** A revision of a segment, now its newest. */
  const chunk = (segmentId: string, seq: number, text: string, isFinal = false): TranscriptChunk => {
    latest.set(segmentId, seq);
    return { callId: 'c1', segmentId, seq, speaker: 'customer', isFinal, text, startMs: 0, endMs: 1 };
  };
  /** Hands a final over and records what it came to, when the scheduler hands it back. */
  const final = (segmentId: string, text: string): boolean =>
    scheduler.final(chunk(segmentId, 1, text, true), async (result: FinalVerdict) => {
      handed.push(
        result.ok
          ? `${text}: ${result.verdict.label}`
          : `${text}: ${(result.error as Error).name} after ${asks.length}`,
      );
    });
  const ask = (text: string): Ask => {
    const found = asks.find((a) => a.text === text);
    if (!found) throw new Error(`"${text}" was not classified; asked: ${asks.map((a) => a.text).join(', ')}`);
    return found;
  };
  return { scheduler, asks, ask, chunk, final, labelled, handed, failures };
}

describe('classification scheduler', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('hands finals over in the order they arrived, whatever order their classifications finish in', async () => {
    const { scheduler, ask, final, handed } = setup();
    final('a', 'first line');
    final('b', 'second line');
    scheduler.inOrder('ack', () => void handed.push('agent ack'));
    final('c', 'third line');
    ask('third line').answer('threat');
    ask('second line').answer('abusive');
    await vi.advanceTimersByTimeAsync(0);
    expect(handed).toEqual([]);
    ask('first line').answer('neutral');
    await scheduler.settled();
    expect(handed).toEqual(['first line: neutral', 'second line: abusive', 'agent ack', 'third line: threat']);
    // Each final is read with the finals before it, classified or not.
    expect(ask('third line').context.map((turn) => turn.text)).toEqual(['first line', 'second line']);
  });

  it('classifies a partial once the debounce has passed, in its newest revision, and labels it only while it is the newest', async () => {
    const { scheduler, asks, ask, chunk, labelled } = setup();
    scheduler.partial(chunk('s', 1, 'you are'), true);
    scheduler.partial(chunk('s', 2, 'you are an'), false);
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS - 1);
    expect(asks).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(asks.map((a) => `${a.priority} ${a.text}`)).toEqual(['partial you are an']);
    ask('you are an').answer('venting');
    await vi.advanceTimersByTimeAsync(0);
    expect(labelled).toEqual(['you are an: venting']);

    // A revision superseded while it was being classified is not labelled.
    scheduler.partial(chunk('s', 3, 'you are an idiot'), true);
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS);
    chunk('s', 4, 'you are an idiot sir');
    ask('you are an idiot').answer('abusive');
    await vi.advanceTimersByTimeAsync(0);
    expect(labelled).toEqual(['you are an: venting']);
  });

  it('gives a final that repeats a partial word for word the partial’s verdict, without asking again', async () => {
    const { scheduler, asks, ask, chunk, final, handed } = setup();
    scheduler.partial(chunk('s', 1, 'shut up'), true);
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS);
    final('s', 'shut up');
    ask('shut up').answer('abusive');
    await scheduler.settled();
    expect(asks.map((a) => a.priority)).toEqual(['partial']);
    expect(handed).toEqual(['shut up: abusive']);
  });

  it('asks again for a final whose earlier finals changed since its partial was read', async () => {
    const { scheduler, asks, ask, chunk, final, handed } = setup();
    scheduler.partial(chunk('s', 1, 'i know where you live'), true);
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS);
    ask('i know where you live').answer('venting');
    final('a', 'let me check that for you');
    ask('let me check that for you').answer('neutral');
    final('s', 'i know where you live');
    const again = asks.at(-1)!;
    expect([again.priority, again.context.map((turn) => turn.text)]).toEqual(['final', ['let me check that for you']]);
    again.answer('threat');
    await scheduler.settled();
    expect(handed).toEqual(['let me check that for you: neutral', 'i know where you live: threat']);
  });

  it('has nothing to classify in a final without words', () => {
    const { asks, final } = setup();
    expect(final('s', '  ')).toBe(false);
    expect(final('t', 'hello')).toBe(true);
    expect(asks.map((a) => a.text)).toEqual(['hello']);
  });

  it('drops a partial still waiting when its final arrives, and every one waiting when stopped', async () => {
    const { scheduler, asks, chunk, final } = setup();
    scheduler.partial(chunk('s', 1, 'hello'), true);
    scheduler.partial(chunk('t', 1, 'well'), true);
    final('s', 'hello there');
    scheduler.stop();
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS);
    expect(asks.map((a) => `${a.priority} ${a.text}`)).toEqual(['final hello there']);
  });

  it('asks again while the classifier’s queue is full, and hands the failure over when it stays full', async () => {
    const { scheduler, asks, final, handed } = setup();
    final('a', 'busy once');
    asks[0]!.fail(new QueueFullError(8));
    await vi.advanceTimersByTimeAsync(25);
    asks[1]!.answer('neutral');
    final('b', 'always busy');
    for (let attempt = 2; attempt < 10; attempt++) {
      asks[attempt]!.fail(new QueueFullError(8));
      await vi.advanceTimersByTimeAsync(1600);
    }
    await scheduler.settled();
    expect(handed).toEqual(['busy once: neutral', 'always busy: QueueFullError after 10']);
  });

  it('does not ask again after another failure, and goes on with the next step after one that throws', async () => {
    const { scheduler, asks, final, handed, failures } = setup();
    final('a', 'model broke');
    asks[0]!.fail(new TypeError('model broke'));
    scheduler.inOrder('ladder', () => {
      throw new Error('store down');
    });
    scheduler.inOrder('ack', () => void handed.push('agent ack'));
    await scheduler.settled();
    expect(asks).toHaveLength(1);
    expect(handed).toEqual(['model broke: TypeError after 1', 'agent ack']);
    expect(failures).toEqual(['ladder']);
  });
});
