import type { LineOutput } from './onnx-model.js';

/**
 * Issue 12: naming a group must not by itself move a verdict. Where the model folder asks for it
 * (calibration.json's average_over_groups), a line naming a group is embedded together with its
 * copies naming each other group (groupVariants), and the mean of their sentence embeddings stands
 * for the line, both when it is read and when a later final reads it as context. The same words
 * about any group then get nearly the same embedding, so the same scores. The line's own row keeps
 * its attribution and act probabilities, so evidence points at the words that were said.
 */
export async function embedLines(
  run: (rows: number[][]) => Promise<LineOutput[]>,
  lines: readonly number[][][],
): Promise<LineOutput[]> {
  const outputs = await run(lines.flat());
  let at = 0;
  return lines.map((rows) => {
    const own = outputs.slice(at, at + rows.length);
    at += rows.length;
    return rows.length === 1 ? own[0]! : { ...own[0]!, embedding: mean(own.map((output) => output.embedding)) };
  });
}

function mean(embeddings: readonly Float32Array[]): Float32Array {
  const sum = new Float32Array(embeddings[0]!.length);
  for (const embedding of embeddings) embedding.forEach((value, i) => (sum[i]! += value));
  return sum.map((value) => value / embeddings.length);
}
