import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCalibration } from '../../src/classifier/calibration.js';
import { embedLines } from '../../src/classifier/group-average.js';
import { loadClassifier, type BatchingClassifier } from '../../src/classifier/index.js';
import type { LineOutput } from '../../src/classifier/onnx-model.js';
import { LABELS } from '../../src/protocol/labels.js';

const MODEL_DIR = process.env.MODEL_DIR ?? 'models/use-lite-abuse';
const MODEL_FILES = ['model.onnx', 'context-head.onnx', 'vocab.json', 'labels.json', 'acts.json'];

/** A copy of the model folder whose calibration.json sets average_over_groups as given. */
function modelFolder(averageOverGroups: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'call-guard-groups-'));
  for (const file of MODEL_FILES) copyFileSync(join(MODEL_DIR, file), join(dir, file));
  const calibration = JSON.parse(readFileSync(join(MODEL_DIR, 'calibration.json'), 'utf8')) as object;
  writeFileSync(
    join(dir, 'calibration.json'),
    JSON.stringify({ ...calibration, average_over_groups: averageOverGroups }),
  );
  return dir;
}

describe('embedLines', () => {
  /** Each row's output carries the row's first token id in its embedding and attribution. */
  const run = async (rows: number[][]): Promise<LineOutput[]> =>
    rows.map(([id]) => ({
      probabilities: new Float32Array(4),
      attribution: Float32Array.of(id!),
      embedding: Float32Array.of(id!, 2 * id!),
      actProbabilities: new Float32Array(7),
    }));

  it("gives a line of several rows the mean of their embeddings and its own row's other outputs", async () => {
    const [single, averaged] = await embedLines(run, [[[5]], [[1], [2], [6]]]);
    expect([...single!.embedding]).toEqual([5, 10]);
    expect([...averaged!.embedding]).toEqual([3, 6]);
    expect([...averaged!.attribution]).toEqual([1]);
  });
});

describe('reading a line as the average over every group', () => {
  const folders: string[] = [];
  let averaging: BatchingClassifier;
  let plain: BatchingClassifier;
  const options = { batchMaxSize: 1, batchMaxWaitMs: 0, queueMax: 64 };

  beforeAll(async () => {
    folders.push(modelFolder(true), modelFolder(false));
    averaging = await loadClassifier({ ...options, modelDir: folders[0]! });
    plain = await loadClassifier({ ...options, modelDir: folders[1]! });
  });

  afterAll(async () => {
    await Promise.all([averaging.close(), plain.close()]);
    for (const dir of folders) rmSync(dir, { recursive: true, force: true });
  });

  it('scores the same words about two groups alike', async () => {
    const muslim = await averaging.classify("i'm muslim so no pork in the hamper please");
    const jewish = await averaging.classify("i'm jewish so no pork in the hamper please");
    for (const label of LABELS) expect(muslim.scores[label]).toBeCloseTo(jewish.scores[label], 2);
  });

  it('reads a line naming no group as before, and points evidence at the words said', async () => {
    const text = 'shut up you useless idiot';
    expect(await averaging.classify(text)).toEqual(await plain.classify(text));
    const insult = await averaging.classify('shut up you stupid woman');
    expect(insult.label).toBe('abusive');
    expect(insult.spans.map(({ start, end }) => 'shut up you stupid woman'.slice(start, end))).toContain('stupid');
  });

  it('refuses a calibration.json whose average_over_groups is not true or false', () => {
    const dir = modelFolder('yes');
    folders.push(dir);
    expect(() => readCalibration(dir)).toThrow(/average_over_groups true, false or absent/);
  });
});
