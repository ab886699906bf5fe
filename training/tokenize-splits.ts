/**
 * Adds token ids to prepared JSONL splits, with the same tokenizer the service runs, so that
 * training and serving can never tokenize differently: `ids` for the line (after its speaker
 * marker), for snippets `context_ids` and `context_agent` for the last MAX_CONTEXT_TURNS turns,
 * and for group-swapped copies `twin_ids`, their original line's.
 *   npx tsx training/tokenize-splits.ts PREPARED_DIR   (rewrites train.jsonl and dev.jsonl)
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lineTokenIds } from '../src/classifier/speaker-marker.js';
import { Tokenizer } from '../src/classifier/tokenizer.js';
import { MAX_CONTEXT_TURNS } from '../src/classifier/classifier.js';
import type { SpeakerRole } from '../src/protocol/transcript-chunk.js';
import { readSplit } from './prepared-split.js';

const [preparedDir, vocabFile = 'models/use-lite-abuse/vocab.json'] = process.argv.slice(2);
if (!preparedDir) {
  console.error('usage: tokenize-splits.ts PREPARED_DIR [VOCAB_JSON]');
  process.exit(2);
}
const tokenizer = Tokenizer.fromFile(vocabFile);
const ids = (text: string, speaker: SpeakerRole = 'customer') => lineTokenIds(tokenizer, speaker, text);
for (const split of ['train.jsonl', 'dev.jsonl']) {
  const path = join(preparedDir, split);
  const rows = readSplit(path);
  const tokenized = rows.map((row) => {
    const context = (row.context ?? []).slice(-MAX_CONTEXT_TURNS);
    return {
      ...row,
      ids: ids(row.text, row.speaker),
      context_ids: context.map((turn) => ids(turn.text, turn.speaker)),
      context_agent: context.map((turn) => (turn.speaker === 'agent' ? 1 : 0)),
      ...(row.swappedFrom === undefined ? {} : { twin_ids: ids(row.swappedFrom, row.speaker) }),
    };
  });
  writeFileSync(path, tokenized.map((row) => JSON.stringify(row)).join('\n') + '\n');
  console.log(`${split}: ${rows.length} rows tokenized`);
}
