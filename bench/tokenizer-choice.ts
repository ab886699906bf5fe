/**
 * `npx tsx bench/tokenizer-choice.ts`: why the service keeps its own SentencePiece tokenizer
 * (src/classifier/tokenizer.ts) rather than the Unigram model of `@huggingface/tokenizers`, the
 * tokenizer library of `@huggingface/transformers`. Both read the model's vocab.json; on every
 * project corpus line this counts the lines whose token ids differ (ours matches the encoder's
 * reference tokenizer token for token: test/unit/tokenizer.test.ts) and times both.
 */
import { readFileSync } from 'node:fs';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { normalizeForModel } from '../src/classifier/normalize.js';
import { Tokenizer, type Vocabulary } from '../src/classifier/tokenizer.js';
import { corpusUtterances } from './corpus-utterances.js';

const ROUNDS = 5;
const vocabulary = JSON.parse(readFileSync('models/use-lite-abuse/vocab.json', 'utf8')) as Vocabulary;
const ours = new Tokenizer(vocabulary);
// The reference's preprocessing, in tokenizer.json terms: NFKC, then "▁" before the text and for every space.
const huggingFace = new HfTokenizer(
  {
    added_tokens: [],
    post_processor: null,
    normalizer: { type: 'NFKC' },
    pre_tokenizer: { type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'always', split: false },
    decoder: { type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'always', split: false },
    model: { type: 'Unigram', unk_id: 0, vocab: vocabulary },
  },
  {},
);
const hfIds = (text: string): number[] => huggingFace.encode(text, { add_special_tokens: false }).ids;

const lines = corpusUtterances().map(normalizeForModel);
const differing = lines.filter((line) => JSON.stringify(ours.encode(line)) !== JSON.stringify(hfIds(line)));
const masked = differing.filter((line) => line.includes('*')).length;
process.stdout.write(
  `${lines.length} corpus lines, ${differing.length} tokenized differently, ${masked} of them with masked words ` +
    `("b****": two segmentations score the same, and the reference keeps the last one), e.g.:\n`,
);
for (const line of differing.slice(0, 3)) {
  process.stdout.write(
    `  ${JSON.stringify(line)}\n    ours ${ours.encode(line).join(' ')}\n    hf   ${hfIds(line).join(' ')}\n`,
  );
}

function microsPerLine(tokenize: (line: string) => unknown): number {
  const rounds: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    for (const line of lines) tokenize(line);
    rounds.push(((performance.now() - started) * 1000) / lines.length);
  }
  return rounds.sort((a, b) => a - b)[Math.floor(ROUNDS / 2)]!;
}
process.stdout.write(
  `µs per line, median of ${ROUNDS} rounds: ours ${microsPerLine((line) => ours.tokenize(line)).toFixed(1)} ` +
    `(ids and offsets), @huggingface/tokenizers ${microsPerLine(hfIds).toFixed(1)} (ids only)\n`,
);
