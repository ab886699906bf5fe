/**
 * The spoken-variant test on the dev split's customer lines: each project line read as written and
 * again with a name, another way of addressing someone or a filler added (spoken-variant.ts), in
 * words training never adds, so runs can be compared on how much such words move a verdict.
 *   npx tsx training/dev-noise-test.ts PREPARED_DIR [--model DIR]
 * PREPARED_DIR is what training/prepare.ts wrote (training/train.sh: training/out/data).
 */
import { loadClassifier } from '../src/classifier/index.js';
import { LABELS } from '../src/protocol/labels.js';
import { spokenVariant, type SpokenWords } from './datasets/spoken-variant.js';
import { readDevSplit } from './dev-split.js';
import { predictAll, PREDICT_CHUNK } from './predict.js';

const PROGRAM = 'training/dev-noise-test.ts';
const USAGE = `usage: npx tsx ${PROGRAM} PREPARED_DIR [--model DIR]

Reads the project customer lines of PREPARED_DIR/dev.jsonl with the model, as written and with a
spoken addition (a name, a way of addressing someone or a filler), and prints each label's share
read right both ways.

  --model DIR     model folder (default models/use-lite-abuse)`;

/** None of these is among the words training adds (TRAINING_SPOKEN_WORDS in spoken-variant.ts). */
const TEST_WORDS: SpokenWords = {
  names: ['gavin', 'kofi', 'mia', 'priya', 'darren', 'karen', 'gareth', 'marcus', 'aisha', 'tom'],
  vocatives: ['sweetheart', 'boss', 'chief', 'dear', 'buddy'],
  fillers: ['like', 'okay', 'honestly', 'basically', 'see', 'actually', 'anyway'],
};

const { devFile, lines: devLines, modelDir } = readDevSplit(PROGRAM, USAGE);
const lines = devLines.filter(({ source, speaker }) => source.startsWith('project') && speaker !== 'agent');
const classifier = await loadClassifier({ modelDir, queueMax: PREDICT_CHUNK * 2 });
try {
  const asWritten = await predictAll(classifier, lines, true);
  const spoken = await predictAll(
    classifier,
    lines.map((line) => ({ ...line, text: spokenVariant(line.text, TEST_WORDS) })),
    true,
  );
  console.log(`${devFile}: ${lines.length} project customer lines, model ${modelDir}\n`);
  console.log('label      lines  read right as written  with a spoken addition');
  for (const label of LABELS) {
    const indices = lines.flatMap((line, i) => (line.label === label ? [i] : []));
    const right = (verdicts: typeof asWritten): string =>
      `${((100 * indices.filter((i) => verdicts[i]!.label === label).length) / indices.length).toFixed(1)}%`;
    console.log(
      `${label.padEnd(9)} ${String(indices.length).padStart(6)}  ${right(asWritten).padStart(21)}  ${right(spoken).padStart(23)}`,
    );
  }
} finally {
  await classifier.close();
}
