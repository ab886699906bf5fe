import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnnxModel } from '../../src/classifier/onnx-model.js';

const MODEL_DIR = 'models/use-lite-abuse';
let model: OnnxModel;

beforeAll(async () => {
  model = await OnnxModel.load(MODEL_DIR, { intraOpThreads: 1, rowsPerRun: 2 });
});

afterAll(async () => {
  await model.close();
});

describe('OnnxModel (inference worker)', () => {
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

  it('rejects a failed inference with the reason and keeps serving', async () => {
    await expect(model.run([[10_000_000]])).rejects.toThrow(/^inference failed: /);
    const [output] = await model.run([[40, 41]]);
    expect(output!.probabilities.reduce((sum, p) => sum + p, 0)).toBeCloseTo(1, 4);
  });

  it('refuses to run once closed', async () => {
    const closing = await OnnxModel.load(MODEL_DIR, { intraOpThreads: 1, rowsPerRun: 8 });
    await closing.close();
    await expect(closing.run([[40]])).rejects.toThrow('classifier closed');
  });

  it('names the folder when the model cannot be loaded', async () => {
    await expect(OnnxModel.load('test/no-such-model', { intraOpThreads: 1, rowsPerRun: 8 })).rejects.toThrow(/no-such-model/);
  });
});
