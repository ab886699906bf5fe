import type { ContextBatch, LineOutputs, ModelPaths, PaddedBatch } from './batch-runner.js';

/** Messages between the worker runner (main thread) and the inference worker. */
export interface InferenceWorkerData {
  paths: ModelPaths;
  intraOpThreads: number;
}

export type InferenceRequest = { id: number } & (
  { graph: 'line'; batch: PaddedBatch } | { graph: 'context'; batch: ContextBatch }
);

export type InferenceReply =
  { id: number; lines: LineOutputs } | { id: number; logits: Float32Array } | { id: number; error: string };
