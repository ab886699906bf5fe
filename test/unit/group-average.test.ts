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

/** A copy of the model folder whose calibration.json sets read_as_groups as given. */
function modelFolder(readAsGroups: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'call-guard-groups-'));
  for (const file of MODEL_FILES) copyFileSync(join(MODEL_DIR, file), join(dir, file));
  const calibration = JSON.parse(readFileSync(join(MODEL_DIR, 'calibration.json'), 'utf8')) as object;
  writeFileSync(join(dir, 'calibration.json'), JSON.stringify({ ...calibration, read_as_groups: readAsGroups }));
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

  it('gives a line read as other groups the mean of those embeddings, and the rest from the line as said', async () => {
    const [single, averaged] = await embedLines(run, [[[5]], [[1], [2], [6]]]);
    expect([...single!.embedding]).toEqual([5, 10]);
    expect([...averaged!.embedding]).toEqual([4, 8]);
    expect([...averaged!.attribution]).toEqual([1]);
  });
});

describe('reading a line naming a group as it would read about other groups', () => {
  const folders: string[] = [];
  let averaging: BatchingClassifier;
  let plain: BatchingClassifier;
  const options = { batchMaxSize: 1, batchMaxWaitMs: 0, queueMax: 64 };

  beforeAll(async () => {
    folders.push(modelFolder(['asian', 'deaf']), modelFolder([]));
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
    // The same read-as rows, batched with a different line as said: int8 activations are quantised per batch.
    for (const label of LABELS) expect(muslim.scores[label]).toBeCloseTo(jewish.scores[label], 1);
  });

  it('reads a line naming no group as before, and points evidence at the words said', async () => {
    const text = 'shut up you useless idiot';
    expect(await averaging.classify(text)).toEqual(await plain.classify(text));
    const insult = await averaging.classify('shut up you stupid woman');
    expect(insult.label).toBe('abusive');
    expect(insult.spans.map(({ start, end }) => 'shut up you stupid woman'.slice(start, end))).toContain('stupid');
  });

  it('refuses a calibration.json whose read_as_groups is not a list of known groups', () => {
    for (const wrong of ['asian', ['asian', 'martian'], ['toString']]) {
      const dir = modelFolder(wrong);
      folders.push(dir);
      expect(() => readCalibration(dir)).toThrow(/read_as_groups absent or a list of groups/);
    }
  });
});
