import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { summarizeCpuProfiles } from '../../bench/profile/cpu-profile-summary.js';

const frame = (id: number, functionName: string, url: string, children: number[] = []) => ({
  id,
  callFrame: { functionName, url },
  children,
});

/** A main-thread profile: 1 ms samples of tokenising, inference and idle time, in the given order. */
function writeProfile(dir: string, samples: Array<'tokenise' | 'infer' | 'idle'>): void {
  const ids = { idle: 2, tokenise: 3, infer: 4 };
  const profile = {
    nodes: [
      frame(1, '(root)', '', [2, 3, 4]),
      frame(2, '(idle)', ''),
      frame(3, 'tokenize', 'file:///app/src/classifier/tokenizer.ts'),
      frame(4, 'run', 'file:///app/node_modules/onnxruntime-node/dist/backend.js'),
    ],
    startTime: 0,
    samples: samples.map((kind) => ids[kind]),
    timeDeltas: samples.map(() => 1000),
  };
  writeFileSync(join(dir, 'CPU.20261202.210705.4242.0.001.cpuprofile'), JSON.stringify(profile));
}

describe('summarizeCpuProfiles', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('splits busy time by stage and finds the longest stretch without an idle sample', () => {
    dir = mkdtempSync(join(tmpdir(), 'cpu-profile-'));
    writeProfile(dir, ['tokenise', 'tokenise', 'idle', 'tokenise', 'infer', 'infer', 'infer', 'idle', 'infer']);
    const { mainThread, inferenceWorker } = summarizeCpuProfiles(dir);
    expect(inferenceWorker).toBeNull();
    expect(mainThread.sampledMs).toBe(9);
    expect(mainThread.busyMs).toBe(7);
    expect(mainThread.stages).toEqual([
      { stage: 'inference (ONNX Runtime)', ms: 4, percent: (4 / 7) * 100 },
      { stage: 'tokenisation', ms: 3, percent: (3 / 7) * 100 },
    ]);
    expect(mainThread.longestBusy).toEqual({
      ms: 4,
      stages: [
        { stage: 'inference (ONNX Runtime)', ms: 3 },
        { stage: 'tokenisation', ms: 1 },
      ],
    });
  });

  it('counts only the samples inside the window', () => {
    dir = mkdtempSync(join(tmpdir(), 'cpu-profile-'));
    writeProfile(dir, ['infer', 'infer', 'infer', 'tokenise', 'tokenise']);
    const { mainThread } = summarizeCpuProfiles(dir, 3500, 5000);
    expect(mainThread.busyMs).toBe(2);
    expect(mainThread.longestBusy).toEqual({ ms: 2, stages: [{ stage: 'tokenisation', ms: 2 }] });
  });
});
