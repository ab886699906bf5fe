/**
 * Raw classifier speed on this machine: utterances per second through tokenizer + ONNX model at
 * fixed batch sizes, for each ONNX Runtime intra-op thread count. No batcher, no HTTP.
 * Modes: `line` reads each utterance alone (the line graph only); `context` adds the context head
 * with four earlier turns whose embeddings are cached (what serving does for a final);
 * `context-miss` embeds the four earlier turns again with every utterance (an empty cache).
 *   npm run bench:classifier -- --help
 */
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseCommandLine, usageError } from '../src/cli/command-line.js';
import { classifierDefaults } from '../src/classifier/index.js';
import { lineTokenIds } from '../src/classifier/speaker-marker.js';
import { OnnxModel } from '../src/classifier/onnx-model.js';
import { Tokenizer } from '../src/classifier/tokenizer.js';
import { MAX_CONTEXT_TURNS } from '../src/classifier/classifier.js';
import { corpusUtterances } from './corpus-utterances.js';

const MODES = ['line', 'context', 'context-miss'] as const;
type Mode = (typeof MODES)[number];

const PROGRAM = 'npm run bench:classifier';
const USAGE = `usage: npm run bench:classifier [-- --model DIR] [--seconds 3] [--threads 1,2] [--batches 1,8,32] [--rows-per-run 8]
                                          [--inference-thread main|worker] [--modes line,context,context-miss]

Utterances per second through the tokenizer and the ONNX model alone (no batcher, no HTTP), at each
batch size, for each ONNX Runtime intra-op thread count.

  --model DIR               model folder (default: MODEL_DIR, else models/use-lite-abuse)
  --seconds N               seconds per measurement (default 3)
  --threads N,N             intra-op thread counts (default 1,2)
  --batches N,N             batch sizes (default 1,8,32)
  --rows-per-run N          rows per ONNX run within a batch (default 8)
  --inference-thread WHERE  main (default) or worker
  --modes M,M               line, context, context-miss (default all three)`;

const { values } = parseCommandLine(PROGRAM, USAGE, {
  model: { type: 'string', default: process.env.MODEL_DIR ?? classifierDefaults.modelDir },
  seconds: { type: 'string', default: '3' },
  threads: { type: 'string', default: '1,2' },
  batches: { type: 'string', default: '1,8,32' },
  'rows-per-run': { type: 'string', default: String(classifierDefaults.rowsPerRun) },
  'inference-thread': { type: 'string', default: classifierDefaults.inferenceThread },
  modes: { type: 'string', default: MODES.join(',') },
});
const list = (value: string) => value.split(',').map(Number);
const inferenceThread = values['inference-thread'];
if (inferenceThread !== 'main' && inferenceThread !== 'worker')
  usageError(PROGRAM, `--inference-thread: expected main or worker, got ${inferenceThread}`);
const modes = values.modes.split(',') as Mode[];
for (const mode of modes)
  if (!MODES.includes(mode)) usageError(PROGRAM, `--modes: expected some of ${MODES.join(', ')}, got ${mode}`);

const utterances = corpusUtterances();
const tokenizer = Tokenizer.fromFile(join(values.model, 'vocab.json'));
const words = utterances.reduce((sum, text) => sum + text.split(/\s+/).length, 0) / utterances.length;
console.log(
  `${cpus()[0]?.model} x${cpus().length}, node ${process.version}; ${utterances.length} corpus utterances, mean ${words.toFixed(1)} words`,
);

for (const threads of list(values.threads)) {
  const model = await OnnxModel.load(values.model, {
    intraOpThreads: threads,
    rowsPerRun: Number(values['rows-per-run']),
    inferenceThread,
  });
  const encode = (text: string) => lineTokenIds(tokenizer, 'customer', text);
  // Cached context: the embeddings of a few corpus lines, as the cache would hold them.
  const cached = (await model.run(utterances.slice(0, MAX_CONTEXT_TURNS).map(encode))).map(({ embedding }, k) => ({
    embedding,
    agent: k % 2 === 1,
  }));
  for (const mode of modes) {
    for (const batchSize of list(values.batches)) {
      let done = 0;
      let next = 0;
      const started = performance.now();
      while (performance.now() - started < Number(values.seconds) * 1000) {
        const batch = Array.from({ length: batchSize }, () => encode(utterances[next++ % utterances.length]!));
        if (mode === 'line') {
          await model.run(batch);
        } else {
          const turns: number[][] =
            mode === 'context'
              ? []
              : batch.flatMap(() =>
                  Array.from({ length: MAX_CONTEXT_TURNS }, () => encode(utterances[next++ % utterances.length]!)),
                );
          const lines = await model.run([...batch, ...turns]);
          const context = (i: number) =>
            mode === 'context'
              ? cached
              : lines
                  .slice(batchSize + i * MAX_CONTEXT_TURNS, batchSize + (i + 1) * MAX_CONTEXT_TURNS)
                  .map(({ embedding }, k) => ({ embedding, agent: k % 2 === 1 }));
          await model.contextLogits(
            batch.map((_, i) => ({ target: lines[i]!.embedding, targetAgent: false, turns: context(i) })),
          );
        }
        done += batchSize;
      }
      const seconds = (performance.now() - started) / 1000;
      console.log(
        `threads ${threads}  ${mode.padEnd(12)} batch ${String(batchSize).padStart(2)}: ${(done / seconds).toFixed(0).padStart(6)} utterances/s  ${((seconds * 1000 * batchSize) / done).toFixed(2)} ms/batch`,
      );
    }
  }
  await model.close();
}
