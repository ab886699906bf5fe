/**
 * Runs every held-out set (each public test split and the project's held-out split) through the
 * classifier and prints per-class precision/recall/F1, macro-F1, accuracy, the confusion matrix
 * and, for the project split, the product targets.
 *
 *   npm run eval -- DATA_DIR [--model models/use-lite-abuse] [--corpus training/corpus] [--blind training/heldout-v2]
 *                            [--json out.json] [--markdown]
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadClassifier } from '../src/classifier/index.js';
import { LABELS, type Classifier, type Label } from '../src/classifier/verdict.js';
import { DEFAULT_SOURCE_DIRS, loadSource, SOURCES } from './datasets/sources.js';
import type { Example } from './datasets/types.js';
import { evaluateLabels, productMetrics, type Evaluation, type ProductMetrics } from './metrics.js';
import { formatEvaluation, formatProductTargets, type TableStyle } from './metrics-report.js';

/** Requests in flight at once: enough to keep the micro-batcher's batches full, bounded by its queue. */
const CHUNK = 512;

async function predictAll(classifier: Classifier, examples: readonly Example[]): Promise<Label[]> {
  const labels: Label[] = [];
  for (let start = 0; start < examples.length; start += CHUNK) {
    const chunk = examples.slice(start, start + CHUNK);
    const verdicts = await Promise.all(chunk.map(({ text, speaker }) => classifier.classify(text, 'final', speaker)));
    labels.push(...verdicts.map((verdict) => verdict.label));
  }
  return labels;
}

interface SetResult {
  evaluation: Evaluation<Label>;
  product?: ProductMetrics;
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      model: { type: 'string', default: join('models', 'use-lite-abuse') },
      corpus: { type: 'string', default: DEFAULT_SOURCE_DIRS.corpusDir },
      blind: { type: 'string', default: DEFAULT_SOURCE_DIRS.blindDir },
      json: { type: 'string' },
      markdown: { type: 'boolean', default: false },
    },
  });
  const [dataDir] = positionals;
  if (!dataDir) throw new Error('usage: evaluate.ts DATA_DIR [--model DIR] [--corpus DIR] [--blind DIR] [--json FILE] [--markdown]');
  const style: TableStyle = values.markdown ? 'markdown' : 'plain';

  const classifier = await loadClassifier({ modelDir: values.model, maxBatch: 32, maxWaitMs: 2, maxQueue: CHUNK * 2 });
  const results: Record<string, SetResult> = {};
  try {
    for (const source of SOURCES) {
      const { test } = loadSource(source, { dataDir, corpusDir: values.corpus, blindDir: values.blind });
      if (test.length === 0) continue;
      const truth = test.map((example) => example.label);
      const predicted = await predictAll(classifier, test);
      const evaluation = evaluateLabels(LABELS, truth, predicted);
      const result: SetResult = { evaluation };
      if (source.projectWritten) result.product = productMetrics(evaluation, truth, predicted);
      results[source.name] = result;

      console.log(formatEvaluation(`${source.name} (held-out)`, evaluation, style));
      if (result.product) console.log('\n' + formatProductTargets(result.product, style));
      console.log('');
    }
  } finally {
    await classifier.close();
  }
  if (values.json) writeFileSync(values.json, JSON.stringify({ model: values.model, sets: results }, null, 2) + '\n');
}

await main();
