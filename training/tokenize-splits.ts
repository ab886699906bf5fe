/**
 * Adds token ids to prepared JSONL splits, with the same tokenizer the service runs, so that
 * training and serving can never tokenize differently.
 *   npx tsx training/tokenize-splits.ts PREPARED_DIR   (rewrites train.jsonl and dev.jsonl)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { speakerPrefix } from '../src/classifier/speaker-marker.js';
import { Tokenizer } from '../src/classifier/tokenizer.js';
import type { SpeakerRole } from '../src/protocol/transcript-chunk.js';

const [preparedDir, vocabFile = 'models/use-lite-abuse/vocab.json'] = process.argv.slice(2);
if (!preparedDir) {
  console.error('usage: tokenize-splits.ts PREPARED_DIR [VOCAB_JSON]');
  process.exit(2);
}
const tokenizer = Tokenizer.fromFile(vocabFile);
for (const split of ['train.jsonl', 'dev.jsonl']) {
  const path = join(preparedDir, split);
  const rows = readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { text: string; speaker?: SpeakerRole });
  const ids = (row: { text: string; speaker?: SpeakerRole }) => [...speakerPrefix(tokenizer, row.speaker ?? 'customer'), ...tokenizer.encode(row.text)];
  writeFileSync(path, rows.map((row) => JSON.stringify({ ...row, ids: ids(row) })).join('\n') + '\n');
  console.log(`${split}: ${rows.length} rows tokenized`);
}
