import { MicroBatcher } from '../../src/classifier/micro-batcher.js';
import type { Classifier, Priority } from '../../src/classifier/classifier.js';
import type { Verdict } from '../../src/protocol/verdict.js';
import type { SpeakerRole } from '../../src/protocol/transcript-chunk.js';
import { keywordVerdict } from './keyword-classifier.js';

/**
 * The keyword table served through the service's own micro-batcher, so queueing, fairness between
 * lanes (tenants) and refusals behave as in production. With `gated`, batches wait until the test
 * calls `release()`: the queue can be filled at will. `waiting` counts, per lane, the requests not
 * yet answered.
 */
export class BatchingKeywords implements Classifier {
  private open!: () => void;
  private readonly gate: Promise<void>;
  readonly waiting = new Map<string, number>();
  private readonly batcher: MicroBatcher<string, Verdict>;

  constructor(options: { batchMaxSize: number; queueMax: number; gated: boolean }) {
    this.gate = options.gated ? new Promise<void>((resolve) => (this.open = resolve)) : Promise.resolve();
    this.batcher = new MicroBatcher<string, Verdict>({
      batchMaxSize: options.batchMaxSize,
      batchMaxWaitMs: 0,
      queueMax: options.queueMax,
      runBatch: async (texts) => {
        await this.gate;
        return texts.map(keywordVerdict);
      },
    });
  }

  release(): void {
    this.open();
  }

  classify(
    text: string,
    priority: Priority = 'final',
    _speaker?: SpeakerRole,
    _context?: unknown,
    lane = '',
  ): Promise<Verdict> {
    const verdict = this.batcher.submit(text, priority, lane);
    this.waiting.set(lane, (this.waiting.get(lane) ?? 0) + 1);
    const done = (): void => void this.waiting.set(lane, this.waiting.get(lane)! - 1);
    verdict.then(done, done);
    return verdict;
  }

  async close(): Promise<void> {
    this.open?.();
    await this.batcher.close();
  }
}
