import type { LineOutput } from './onnx-model.js';

/**
 * Issue 12: naming a group must not by itself move a verdict. Where the model folder asks for it
 * (calibration.json's read_as_groups), a line naming a group is also embedded as it would read about
 * each listed group (groupVariants), and the mean of those embeddings stands for the line, both when
 * it is read and when a later final reads it as context. The same words about any group then get the
 * same embedding, so the same scores. The line as said keeps its attribution and act probabilities,
 * so evidence points at the words that were said.
 */
export async function embedLines(
  run: (rows: number[][]) => Promise<LineOutput[]>,
  lines: readonly number[][][],
): Promise<LineOutput[]> {
  const outputs = await run(lines.flat());
  let at = 0;
  return lines.map((rows) => {
    const [said, ...readAs] = outputs.slice(at, at + rows.length);
    at += rows.length;
    return readAs.length === 0 ? said! : { ...said!, embedding: mean(readAs.map((output) => output.embedding)) };
  });
}

function mean(embeddings: readonly Float32Array[]): Float32Array {
  const sum = new Float32Array(embeddings[0]!.length);
  for (const embedding of embeddings) embedding.forEach((value, i) => (sum[i]! += value));
  return sum.map((value) => value / embeddings.length);
}
