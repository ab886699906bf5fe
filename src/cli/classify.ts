/**
 * Classify utterances from a file, one per line ("-" reads standard input), printing one JSON
 * object per line: {"text", "label", "scores"}.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { classifierDefaults, loadClassifier } from '../classifier/index.js';
import { failure, parseCommandLine, usageError } from './command-line.js';

const PROGRAM = 'npm run classify';
const USAGE = `usage: npm run classify -- FILE|- [--model DIR] [--speaker customer|agent]

Reads one utterance per line from FILE ("-": standard input) and prints one JSON object per line:
{"text", "label", "scores"}, in input order.

  --model DIR        model folder (default: MODEL_DIR, else models/use-lite-abuse)
  --speaker ROLE     customer (default) or agent: whose words the lines are`;

const { positionals, values } = parseCommandLine(
  PROGRAM,
  USAGE,
  {
    model: { type: 'string', default: process.env.MODEL_DIR ?? classifierDefaults.modelDir },
    speaker: { type: 'string', default: 'customer' },
  },
  { allowPositionals: true },
);
const speaker = values.speaker;
if (speaker !== 'customer' && speaker !== 'agent')
  usageError(PROGRAM, `--speaker must be customer or agent, not "${speaker}"`);
const [file, ...extra] = positionals;
if (!file) usageError(PROGRAM, 'name a FILE of utterances, or - for standard input');
if (extra.length > 0) usageError(PROGRAM, `one FILE only, not also ${extra.join(' ')}`);

// A file is read faster than the service's traffic arrives: a shorter wait, and room to queue the whole window.
const classifier = await loadClassifier({ modelDir: values.model, batchMaxWaitMs: 1, queueMax: 100_000 }).catch(
  (error: Error) => failure(PROGRAM, `cannot load the model from ${values.model}: ${error.message}`),
);
const input = file === '-' ? process.stdin : createReadStream(file);
input.on('error', (error: Error) => failure(PROGRAM, `cannot read ${file}: ${error.message}`));
const pending: Array<Promise<string>> = [];
for await (const text of createInterface({ input, crlfDelay: Infinity })) {
  if (text.trim() === '') continue;
  pending.push(
    classifier.classify(text, 'final', speaker).then(({ label, scores }) => JSON.stringify({ text, label, scores })),
  );
  // Print in input order while keeping a window of requests in flight for batching.
  if (pending.length >= 256) process.stdout.write((await pending.shift()!) + '\n');
}
for (const line of pending) process.stdout.write((await line) + '\n');
await classifier.close();
