/**
 * Runs every held-out set (each public test split, the project's held-out split and the blind
 * sets) and the dev line sets (training/dev-lines/) through the classifier and prints per-class
 * precision/recall/F1, macro-F1, accuracy, the confusion matrix and, for project-written sets, the
 * product targets and the safety operating points. Snippets are read with their context, and once
 * more without it, to show what context changes; agent lines with a labelled act get an act table;
 * sets whose lines name a group get the bias table and the group-swap test (swap-test.ts).
 *
 * The public data sets are not in the repository: training/README.md ("Data sets") says where each
 * comes from and which files DATA_DIR must hold.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { readCalibration } from '../src/classifier/calibration.js';
import { classifierDefaults, loadClassifier } from '../src/classifier/index.js';
import { failure, parseCommandLine, usageError } from '../src/cli/command-line.js';
import { AGENT_ACTS, LABELS } from '../src/protocol/labels.js';
import type { AgentAct } from '../src/protocol/verdict.js';
import { DEFAULT_SOURCE_DIRS, loadSource, SOURCES, type Source } from './datasets/sources.js';
import {
  biasTable,
  evaluateLabels,
  productMetrics,
  type BiasTable,
  type Evaluation,
  type ProductMetrics,
} from './metrics.js';
import {
  formatBiasTable,
  formatEvaluation,
  formatProductTargets,
  formatSwapTest,
  type TableStyle,
} from './metrics-report.js';
import { predictAll, PREDICT_CHUNK } from './predict.js';
import { formatSafety, safetyMetrics, type SafetyMetrics } from './safety-metrics.js';
import { measureSwaps, type SwapTest } from './swap-test.js';

interface SetResult {
  evaluation: Evaluation<(typeof LABELS)[number]>;
  product?: ProductMetrics;
  safety?: SafetyMetrics;
  /** Snippet sets: the product metrics when the same lines are read without their context. */
  productWithoutContext?: ProductMetrics;
  acts?: Evaluation<AgentAct>;
  /** Sets whose lines carry a group tag: flagged and caught rates per group (issue 12). */
  bias?: BiasTable;
  swapTest?: SwapTest;
}

const PROGRAM = 'npm run eval';
const DATA_HELP =
  'the public data sets are not in the repository: training/README.md ("Data sets") lists where to get each and the files DATA_DIR must hold';
const USAGE = `usage: npm run eval -- DATA_DIR [--model DIR] [--corpus DIR] [--blind DIR] [--sets NAMES] [--json FILE] [--markdown]

Classifies every held-out set (each public data set's test split in DATA_DIR, the project's
held-out and blind sets) and the dev line sets (training/dev-lines/), and prints per-class
precision, recall and F1, the confusion matrix and, for the project's sets, the product targets;
for sets whose lines name a group, the bias table and the group-swap test. On the project
machines DATA_DIR is ../shared/data; elsewhere, ${DATA_HELP}.

  --model DIR     model folder (default models/use-lite-abuse)
  --corpus DIR    project corpus (default training/corpus)
  --blind DIR     blind held-out set (default training/heldout-v2)
  --sets NAMES    only these sets, by the names it prints, comma-separated (a dev screen:
                  --sets dev-venting reads no held-out set)
  --json FILE     also write every metric as JSON
  --markdown      print tables as Markdown`;

async function main(): Promise<void> {
  const { positionals, values } = parseCommandLine(
    PROGRAM,
    USAGE,
    {
      model: { type: 'string', default: classifierDefaults.modelDir },
      corpus: { type: 'string', default: DEFAULT_SOURCE_DIRS.corpusDir },
      blind: { type: 'string', default: DEFAULT_SOURCE_DIRS.blindDir },
      sets: { type: 'string' },
      json: { type: 'string' },
      markdown: { type: 'boolean', default: false },
    },
    { allowPositionals: true },
  );
  const [dataDir] = positionals;
  if (!dataDir) usageError(PROGRAM, `name the folder of public data sets (DATA_DIR); ${DATA_HELP}`);
  if (!existsSync(dataDir)) failure(PROGRAM, `${dataDir} does not exist; ${DATA_HELP}`);
  const style: TableStyle = values.markdown ? 'markdown' : 'plain';
  const sources = chosenSources(values.sets);

  const cannotLoad = (error: unknown) =>
    failure(PROGRAM, `cannot load the model from ${values.model}: ${(error as Error).message}`);
  const { operatingPoints } = (() => {
    try {
      return readCalibration(values.model);
    } catch (error) {
      return cannotLoad(error);
    }
  })();
  const classifier = await loadClassifier({ modelDir: values.model, queueMax: PREDICT_CHUNK * 2 }).catch(cannotLoad);
  const results: Record<string, SetResult> = {};
  try {
    for (const source of sources) {
      const { test } = loadSourceOrExplain(source, {
        ...DEFAULT_SOURCE_DIRS,
        dataDir,
        corpusDir: values.corpus,
        blindDir: values.blind,
      });
      if (test.length === 0) continue;
      const truth = test.map((example) => example.label);
      const verdicts = await predictAll(classifier, test, true);
      const predicted = verdicts.map((verdict) => verdict.label);
      const evaluation = evaluateLabels(LABELS, truth, predicted);
      const result: SetResult = { evaluation };
      console.log(formatEvaluation(`${source.name} (${source.dev ? 'dev' : 'held-out'})`, evaluation, style));
      if (source.projectWritten) {
        result.product = productMetrics(evaluation, truth, predicted);
        console.log('\n' + formatProductTargets(result.product, style));
        const customer = test
          .map((example, i) => ({ example, verdict: verdicts[i]! }))
          .filter(({ example }) => example.speaker !== 'agent');
        result.safety = safetyMetrics(
          customer.map(({ example }) => example.label),
          customer.map(({ verdict }) => verdict.scores),
          operatingPoints,
        );
        console.log('\n' + formatSafety(result.safety, operatingPoints, style));
      }
      if (test.some((example) => example.context)) {
        const alone = (await predictAll(classifier, test, false)).map((verdict) => verdict.label);
        result.productWithoutContext = productMetrics(evaluateLabels(LABELS, truth, alone), truth, alone);
        console.log(
          '\n' +
            formatProductTargets(result.productWithoutContext, style).replace(
              'Product targets',
              'Product targets, the same lines read without context',
            ),
        );
      }
      if (test.some((example) => example.group !== undefined)) {
        result.bias = biasTable(test, predicted);
        console.log('\n' + formatBiasTable(result.bias, style));
        result.swapTest = await measureSwaps(classifier, test, predicted);
        console.log('\n' + formatSwapTest(result.swapTest, style));
      }
      const withAct = test
        .map((example, i) => ({ act: example.act, verdict: verdicts[i]! }))
        .filter(({ act }) => act !== undefined);
      if (withAct.length > 0) {
        result.acts = evaluateLabels(
          AGENT_ACTS,
          withAct.map(({ act }) => act!),
          withAct.map(({ verdict }) => verdict.act ?? 'other'),
        );
        console.log('\n' + formatEvaluation(`${source.name}: agent acts`, result.acts, style));
      }
      results[source.name] = result;
      console.log('');
    }
  } finally {
    await classifier.close();
  }
  if (values.json)
    writeFileSync(values.json, JSON.stringify({ model: values.model, operatingPoints, sets: results }, null, 2) + '\n');
}

/** Every set, or those `--sets` names; a name that is no set's is a usage error listing them. */
function chosenSources(names: string | undefined): readonly Source[] {
  if (names === undefined) return SOURCES;
  const wanted = names.split(',').map((name) => name.trim());
  const unknown = wanted.filter((name) => !SOURCES.some((source) => source.name === name));
  if (unknown.length > 0)
    usageError(
      PROGRAM,
      `no set is called ${unknown.join(', ')}; the sets are ${SOURCES.map(({ name }) => name).join(', ')}`,
    );
  return SOURCES.filter((source) => wanted.includes(source.name));
}

/** A set whose files are missing ends the run with one line naming it, not a stack trace. */
function loadSourceOrExplain(...args: Parameters<typeof loadSource>): ReturnType<typeof loadSource> {
  try {
    return loadSource(...args);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return failure(PROGRAM, `${args[0].name}: ${(error as Error).message}; ${DATA_HELP}`);
  }
}

await main();
