/** Messages between OnnxModel (main thread) and the inference worker. */
export interface InferenceWorkerData {
  modelPath: string;
  intraOpThreads: number;
}

export interface InferenceRequest {
  id: number;
  ids: BigInt64Array;
  mask: BigInt64Array;
  shape: [number, number];
}

export type InferenceReply =
  | { id: number; probabilities: Float32Array; attribution: Float32Array }
  | { id: number; error: string };
