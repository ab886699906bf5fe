/**
 * The bias table and the group-swap test (swap-test.ts) on the dev split's lines naming a group:
 * what to compare training runs by, since the held-out sets are never used to choose.
 *   npx tsx training/dev-swap-test.ts PREPARED_DIR [--model DIR]
 * PREPARED_DIR is what training/prepare.ts wrote (training/train.sh: training/out/data).
 */
import { loadClassifier } from '../src/classifier/index.js';
import { biasTable } from './metrics.js';
import { formatBiasTable, formatSwapTest } from './metrics-report.js';
import { readDevSplit } from './dev-split.js';
import { predictAll, PREDICT_CHUNK } from './predict.js';
import { measureSwaps } from './swap-test.js';

const PROGRAM = 'training/dev-swap-test.ts';
const USAGE = `usage: npx tsx ${PROGRAM} PREPARED_DIR [--model DIR]

Reads the lines of PREPARED_DIR/dev.jsonl that name a group with the model, then again with their
group words swapped for every other group's, and prints the bias table and the group-swap test.

  --model DIR     model folder (default models/use-lite-abuse)`;

const { devFile, lines: devLines, modelDir } = readDevSplit(PROGRAM, USAGE);
const lines = devLines.filter((example) => example.group !== undefined);
const classifier = await loadClassifier({ modelDir, queueMax: PREDICT_CHUNK * 2 });
try {
  const predicted = (await predictAll(classifier, lines, true)).map((verdict) => verdict.label);
  console.log(`${devFile}: ${lines.length} lines naming a group, model ${modelDir}\n`);
  console.log(formatBiasTable(biasTable(lines, predicted), 'plain'));
  console.log('\n' + formatSwapTest(await measureSwaps(classifier, lines, predicted), 'plain'));
} finally {
  await classifier.close();
}
