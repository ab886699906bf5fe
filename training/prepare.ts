/**
 * Maps the public data sets and the project corpus to the four labels and writes the training
 * inputs: train.jsonl, dev.jsonl and one test-<source>.jsonl per source.
 *
 *   npm run prepare-data -- DATA_DIR OUT_DIR [--corpus training/corpus] [--blind training/heldout-v2]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LABELS } from '../src/classifier/verdict.js';
import { assembleTraining, countBySourceAndLabel, PROJECT_UPSAMPLE } from './datasets/assemble.js';
import { DEFAULT_SOURCE_DIRS, loadSource, SOURCES } from './datasets/sources.js';
import type { Example } from './datasets/types.js';

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

function main(): void {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      corpus: { type: 'string', default: DEFAULT_SOURCE_DIRS.corpusDir },
      blind: { type: 'string', default: DEFAULT_SOURCE_DIRS.blindDir },
    },
  });
  const [dataDir, outDir] = positionals;
  if (!dataDir || !outDir) throw new Error('usage: prepare.ts DATA_DIR OUT_DIR [--corpus DIR] [--blind DIR]');

  const loaded = SOURCES.map((source) => ({ source, splits: loadSource(source, { dataDir, corpusDir: values.corpus, blindDir: values.blind }) }));
  const tests = loaded.map(({ splits }) => splits.test);
  const heldOutProject = loaded.filter(({ source }) => source.projectWritten).flatMap(({ splits }) => splits.test);
  const { train, dev } = assembleTraining(loaded.map(({ splits }) => splits.train), tests, heldOutProject);

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
