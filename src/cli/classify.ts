/**
 * Classify utterances from a file, one per line ("-" reads standard input), printing one JSON
 * object per line: {"text", "label", "scores"}.
 *   npm run classify -- FILE [--model DIR] [--speaker customer|agent]
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { loadClassifier } from '../classifier/index.js';

const DEFAULT_MODEL_DIR = 'models/use-lite-abuse';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    model: { type: 'string', default: process.env.MODEL_DIR ?? DEFAULT_MODEL_DIR },
    speaker: { type: 'string', default: 'customer' },
  },
});
const speaker = values.speaker;
if (speaker !== 'customer' && speaker !== 'agent') {
  console.error(`--speaker must be customer or agent, not "${speaker}"`);
  process.exit(2);
}
const file = positionals[0];
if (!file) {
  console.error('usage: npm run classify -- FILE|- [--model DIR] [--speaker customer|agent]');
  process.exit(2);
}

const classifier = await loadClassifier({ modelDir: values.model, maxBatch: 32, maxWaitMs: 1, maxQueue: 100_000 });
const input = file === '-' ? process.stdin : createReadStream(file);
input.on('error', (error: Error) => {
  console.error(`cannot read ${file}: ${error.message}`);
  process.exit(1);
});
const pending: Array<Promise<string>> = [];
for await (const text of createInterface({ input, crlfDelay: Infinity })) {
  if (text.trim() === '') continue;
  pending.push(classifier.classify(text, 'final', speaker).then(({ label, scores }) => JSON.stringify({ text, label, scores })));
  // Print in input order while keeping a window of requests in flight for batching.
  if (pending.length >= 256) process.stdout.write((await pending.shift()!) + '\n');
}
for (const line of pending) process.stdout.write((await line) + '\n');
await classifier.close();
