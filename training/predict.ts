import type { Classifier } from '../src/classifier/classifier.js';
import type { Verdict } from '../src/protocol/verdict.js';
import type { Example } from './datasets/types.js';

/** Requests in flight at once: enough to keep the micro-batcher's batches full, bounded by its queue. */
export const PREDICT_CHUNK = 512;

/** The classifier's verdict on every example, as finals, with or without the snippets' context. */
export async function predictAll(
  classifier: Classifier,
  examples: readonly Example[],
  withContext: boolean,
): Promise<Verdict[]> {
  const verdicts: Verdict[] = [];
  for (let start = 0; start < examples.length; start += PREDICT_CHUNK) {
    const chunk = examples.slice(start, start + PREDICT_CHUNK);
    verdicts.push(
      ...(await Promise.all(
        chunk.map(({ text, speaker, context }) =>
          classifier.classify(text, 'final', speaker, withContext ? context : []),
        ),
      )),
    );
  }
  return verdicts;
}
