import type { FixtureCall } from '../../fixtures/fixture-call.js';
import type { Priority } from '../../src/classifier/classifier.js';
import type { Verdict } from '../../src/protocol/verdict.js';
import { confidentVerdict } from './keyword-classifier.js';

/**
 * The fixtures' own annotation as a classifier: each final's text gets its `finalLabels` label, so
 * a test exercises adapters, transcript assembly, the ladder and the hub without the model's errors.
 * Partials (which never raise cues) read as neutral; an unannotated final is a broken fixture or a
 * mangled text and fails loudly.
 */
export function fixtureLabeller(calls: readonly FixtureCall[]): (text: string, priority: Priority) => Verdict {
  const byText = new Map<string, Verdict>();
  for (const call of calls) {
    for (const chunk of call.chunks) {
      const label = call.finalLabels[chunk.segmentId];
      if (chunk.isFinal && label) byText.set(chunk.text.trim(), confidentVerdict(label));
    }
  }
  return (text, priority) => {
    const verdict = byText.get(text.trim());
    if (verdict) return verdict;
    if (priority === 'partial') return confidentVerdict('neutral');
    throw new Error(`no fixture label for the final "${text}"`);
  };
}
