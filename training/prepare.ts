/**
 * Maps the public data sets and the project corpus to the four labels and writes the training
 * inputs: train.jsonl, dev.jsonl and one test-<source>.jsonl per source.
 *
 *   npm run prepare-data -- DATA_DIR OUT_DIR [--corpus training/corpus] [--blind training/heldout-v2]
 * training/README.md ("Data sets") says where each public set comes from and which files DATA_DIR must hold.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LABELS } from '../src/protocol/labels.js';
import { failure, parseCommandLine, usageError } from '../src/cli/command-line.js';
import { assembleTraining, countBySourceAndLabel, PROJECT_UPSAMPLE } from './datasets/assemble.js';
import { DEFAULT_SOURCE_DIRS, loadSource, SOURCES } from './datasets/sources.js';
import type { Example } from './datasets/types.js';
import { blindCallSetDirs, DEV_CALLS_DIR, loadEvalCalls } from './call-eval-set.js';

/** The call sets that choose thresholds (dev) and measure (blind): no training line may nearly copy theirs. */
const CALL_SETS = [...blindCallSetDirs(), DEV_CALLS_DIR];
/** Shorter lines ("okay thanks") are common to every call; only longer ones can be copies. */
const MIN_CALL_LINE_WORDS = 6;

function callSetTexts(): string[] {
  return CALL_SETS.flatMap((dir) => loadEvalCalls(dir))
    .flatMap((call) => call.turns.map(({ text }) => text))
    .filter((text) => text.split(/\s+/).length >= MIN_CALL_LINE_WORDS);
}

function writeJsonl(path: string, examples: readonly Example[]): void {
  writeFileSync(path, examples.map((example) => JSON.stringify(example) + '\n').join(''));
}

function printCounts(title: string, examples: readonly Example[]): void {
  const counts = countBySourceAndLabel(examples);
  const line = (name: string, cells: (string | number)[]) =>
    console.log(name.padEnd(16) + cells.map((c) => String(c).padStart(9)).join(''));
  console.log(`\n${title} (${examples.length} rows)`);
  line('source', [...LABELS, 'total']);
  for (const [source, row] of counts) {
    const values = LABELS.map((label) => row[label]);
    line(source, [...values, values.reduce((a, b) => a + b, 0)]);
  }
  line('all', [...LABELS.map((label) => examples.filter((e) => e.label === label).length), examples.length]);
}

const PROGRAM = 'npm run prepare-data';
const USAGE = `usage: npm run prepare-data -- DATA_DIR OUT_DIR [--corpus DIR] [--blind DIR]

Maps the public data sets in DATA_DIR (training/README.md, "Data sets") and the project corpus to
the four labels; writes OUT_DIR/train.jsonl, dev.jsonl and test-<source>.jsonl.

  --corpus DIR    project corpus (default training/corpus)
  --blind DIR     blind held-out set, never trained on (default training/heldout-v2)`;

function main(): void {
  const { positionals, values } = parseCommandLine(
    PROGRAM,
    USAGE,
    {
      corpus: { type: 'string', default: DEFAULT_SOURCE_DIRS.corpusDir },
      blind: { type: 'string', default: DEFAULT_SOURCE_DIRS.blindDir },
    },
    { allowPositionals: true },
  );
  const [dataDir, outDir] = positionals;
  if (!dataDir || !outDir)
    usageError(PROGRAM, 'name the folder of public data sets (DATA_DIR) and the folder to write to (OUT_DIR)');
  if (!existsSync(dataDir))
    failure(PROGRAM, `${dataDir} does not exist; training/README.md ("Data sets") lists where to get each set`);

  const loaded = SOURCES.map((source) => ({
    source,
    splits: loadSource(source, { ...DEFAULT_SOURCE_DIRS, dataDir, corpusDir: values.corpus, blindDir: values.blind }),
  }));
  const tests = loaded.map(({ splits }) => splits.test);
  const heldOutTexts = [
    ...loaded
      .filter(({ source }) => source.projectWritten)
      .flatMap(({ splits }) => splits.test.map(({ text }) => text)),
    ...callSetTexts(),
  ];
  const { train, dev } = assembleTraining(
    loaded.map(({ splits }) => splits.train),
    tests,
    heldOutTexts,
  );

  mkdirSync(outDir, { recursive: true });
  writeJsonl(join(outDir, 'train.jsonl'), train);
  writeJsonl(join(outDir, 'dev.jsonl'), dev);
  for (const { source, splits } of loaded) {
    if (splits.test.length > 0) writeJsonl(join(outDir, `test-${source.name}.jsonl`), splits.test);
  }

  printCounts(`train.jsonl, project rows ×${PROJECT_UPSAMPLE}`, train);
  printCounts('dev.jsonl', dev);
  printCounts('test-<source>.jsonl', tests.flat());
  console.log(`\nwritten to ${outDir}`);
}

main();
