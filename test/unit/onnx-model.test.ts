import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InferenceThread } from '../../src/classifier/batch-runner.js';
import { OnnxModel } from '../../src/classifier/onnx-model.js';

const MODEL_DIR = 'models/use-lite-abuse';

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
      expect(output.attribution).toHaveLength(sequences[i]!.length * 4);
      // Dynamic int8 quantisation scales activations per batch, so batch neighbours move scores in the 4th decimal.
      Array.from(output.probabilities).forEach((p, j) => expect(p).toBeCloseTo(alone[i]!.probabilities[j]!, 2));
    });
  });

  it("rejects a failed inference with ONNX Runtime's reason and keeps serving", async () => {
    await expect(model.run([[10_000_000]])).rejects.toThrow(/Gather/);
    const [output] = await model.run([[40, 41]]);
    expect(output!.probabilities.reduce((sum, p) => sum + p, 0)).toBeCloseTo(1, 4);
  });

  it('refuses to run once closed', async () => {
    const closing = await OnnxModel.load(MODEL_DIR, options);
    await closing.close();
    await expect(closing.run([[40]])).rejects.toThrow();
  });

  it('names the model file when it cannot be loaded', async () => {
    const withoutModel = mkdtempSync(join(tmpdir(), 'call-guard-model-'));
    copyFileSync(join(MODEL_DIR, 'labels.json'), join(withoutModel, 'labels.json'));
    await expect(OnnxModel.load(withoutModel, options)).rejects.toThrow(/model\.onnx/);
    rmSync(withoutModel, { recursive: true });
  });
});
