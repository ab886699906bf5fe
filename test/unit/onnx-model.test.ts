import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InferenceThread } from '../../src/classifier/batch-runner.js';
import { OnnxModel } from '../../src/classifier/onnx-model.js';
import { AGENT_ACTS, LABELS } from '../../src/protocol/labels.js';

const MODEL_DIR = process.env.MODEL_DIR ?? 'models/use-lite-abuse';
const sum = (values: Float32Array) => values.reduce((total, value) => total + value, 0);
const dot = (a: Float32Array, b: Float32Array) => a.reduce((total, value, i) => total + value * b[i]!, 0);
const cosine = (a: Float32Array, b: Float32Array) => dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));

describe.each<InferenceThread>(['main', 'worker'])('OnnxModel, inference on the %s thread', (inferenceThread) => {
  const options = { intraOpThreads: 1, rowsPerRun: 2, inferenceThread };
  let model: OnnxModel;

  beforeAll(async () => {
    model = await OnnxModel.load(MODEL_DIR, options);
  });

  afterAll(async () => {
    await model.close();
  });

  it('returns one output per sequence, in input order, whatever the slicing and padding', async () => {
    const sequences = [[40, 41, 42, 43, 44, 45, 46], [50, 51], [60, 61, 62, 63], [70]];
    const together = await model.run(sequences);
    const alone = await Promise.all(sequences.map(async (sequence) => (await model.run([sequence]))[0]!));
    expect(together).toHaveLength(sequences.length);
    together.forEach((output, i) => {
      expect(output.attribution).toHaveLength(sequences[i]!.length * LABELS.length);
      expect(output.actProbabilities).toHaveLength(AGENT_ACTS.length);
      expect(sum(output.actProbabilities)).toBeCloseTo(1, 4);
      expect(output.embedding).toHaveLength(alone[i]!.embedding.length);
      // int8 activations are quantised per batch, so batch neighbours move scores (on real lines by up to 0.1: MODEL_CARD.md, "Speed").
      Array.from(output.probabilities).forEach((p, j) => expect(p).toBeCloseTo(alone[i]!.probabilities[j]!, 2));
      expect(cosine(output.embedding, alone[i]!.embedding)).toBeGreaterThan(0.97);
    });
  });

  it('reads each final with its own context: rows answer alike alone and together, and context counts', async () => {
    const [a, b, c] = (
      await model.run([
        [40, 41, 42],
        [50, 51],
        [60, 61, 62, 63],
      ])
    ).map((output) => output.embedding);
    const rows = [
      { target: a!, targetAgent: false, turns: [] },
      { target: b!, targetAgent: true, turns: [{ embedding: c!, agent: false }] },
      {
        target: a!,
        targetAgent: false,
        turns: [b!, c!, b!, c!, b!].map((embedding, k) => ({ embedding, agent: k % 2 === 0 })),
      },
    ];
    const together = await model.contextLogits(rows);
    const alone = await Promise.all(rows.map(async (row) => (await model.contextLogits([row]))[0]!));
    expect(together).toHaveLength(rows.length);
    together.forEach((logits, i) => {
      expect(logits).toHaveLength(LABELS.length);
      Array.from(logits).forEach((value, j) => expect(value).toBeCloseTo(alone[i]![j]!, 4));
    });
    // More than four earlier turns: only the last four are read.
    const lastFour = await model.contextLogits([{ ...rows[2]!, turns: rows[2]!.turns.slice(-4) }]);
    Array.from(lastFour[0]!).forEach((value, j) => expect(value).toBeCloseTo(together[2]![j]!, 4));
    expect(Array.from(together[2]!)).not.toEqual(Array.from(together[0]!));
  });

  it("rejects a failed inference with ONNX Runtime's reason and keeps serving", async () => {
    await expect(model.run([[10_000_000]])).rejects.toThrow(/Gather/);
    const [output] = await model.run([[40, 41]]);
    expect(sum(output!.probabilities)).toBeCloseTo(1, 4);
  });

  it('refuses to run once closed', async () => {
    const closing = await OnnxModel.load(MODEL_DIR, options);
    await closing.close();
    await expect(closing.run([[40]])).rejects.toThrow();
  });

  it('names the model file when it cannot be loaded', async () => {
    const withoutModel = mkdtempSync(join(tmpdir(), 'call-guard-model-'));
    for (const file of ['labels.json', 'acts.json']) copyFileSync(join(MODEL_DIR, file), join(withoutModel, file));
    await expect(OnnxModel.load(withoutModel, options)).rejects.toThrow(/model\.onnx/);
    rmSync(withoutModel, { recursive: true });
  });
});
