/**
 * Raw classifier speed on this machine: utterances per second through tokenizer + ONNX model at
 * fixed batch sizes, for each ONNX Runtime intra-op thread count. No batcher, no HTTP.
 *   npx tsx bench/classifier-throughput.ts [--model DIR] [--seconds 3] [--threads 1,2] [--batches 1,8,32] [--rows-per-run 8] [--inference-thread main|worker]
 */
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { normalizeForModel } from '../src/classifier/normalize.js';
import { OnnxModel } from '../src/classifier/onnx-model.js';
import { Tokenizer } from '../src/classifier/tokenizer.js';
import { corpusUtterances } from './corpus-utterances.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: process.env.MODEL_DIR ?? 'models/use-lite-abuse' },
    seconds: { type: 'string', default: '3' },
    threads: { type: 'string', default: '1,2' },
    batches: { type: 'string', default: '1,8,32' },
    'rows-per-run': { type: 'string', default: '8' },
    'inference-thread': { type: 'string', default: 'main' },
  },
});
const list = (value: string) => value.split(',').map(Number);
const inferenceThread = values['inference-thread'];
if (inferenceThread !== 'main' && inferenceThread !== 'worker') throw new Error(`--inference-thread: expected main or worker, got ${inferenceThread}`);

const utterances = corpusUtterances();
const tokenizer = Tokenizer.fromFile(join(values.model, 'vocab.json'));
const words = utterances.reduce((sum, text) => sum + text.split(/\s+/).length, 0) / utterances.length;
console.log(`${cpus()[0]?.model} x${cpus().length}, node ${process.version}; ${utterances.length} corpus utterances, mean ${words.toFixed(1)} words`);

for (const threads of list(values.threads)) {
  const model = await OnnxModel.load(values.model, {
    intraOpThreads: threads,
    rowsPerRun: Number(values['rows-per-run']),
    inferenceThread,
  });
  for (const batchSize of list(values.batches)) {
    let done = 0;
    let next = 0;
    const started = performance.now();
    while (performance.now() - started < Number(values.seconds) * 1000) {
      const batch = Array.from({ length: batchSize }, () => utterances[next++ % utterances.length]!);
      await model.run(batch.map((text) => tokenizer.encode(normalizeForModel(text))));
      done += batchSize;
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(`threads ${threads}  batch ${String(batchSize).padStart(2)}: ${(done / seconds).toFixed(0).padStart(6)} utterances/s  ${((seconds * 1000 * batchSize) / done).toFixed(2)} ms/batch`);
  }
  await model.close();
}
