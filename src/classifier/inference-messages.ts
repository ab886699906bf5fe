import type { BatchOutputs, PaddedBatch } from './batch-runner.js';

/** Messages between the worker runner (main thread) and the inference worker. */
export interface InferenceWorkerData {
  modelPath: string;
  intraOpThreads: number;
}

export type InferenceRequest = PaddedBatch & { id: number };

export type InferenceReply = (BatchOutputs & { id: number }) | { id: number; error: string };
