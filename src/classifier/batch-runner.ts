import ort from 'onnxruntime-node';

/** One padded slice of a batch: token ids and attention mask, rows × tokens. */
export interface PaddedBatch {
  ids: BigInt64Array;
  mask: BigInt64Array;
  shape: [rows: number, tokens: number];
}

/** The graph's outputs for a slice: probabilities (rows × labels), token_attribution (rows × tokens × labels). */
export interface BatchOutputs {
  probabilities: Float32Array;
  attribution: Float32Array;
}

/** Runs padded slices through the ONNX session, on this thread or in the inference worker. */
export interface BatchRunner {
  run(batch: PaddedBatch): Promise<BatchOutputs>;
  close(): Promise<void>;
}

/** Where inference runs: on the event loop's thread, or in a worker thread of its own (README, "Performance"). */
export type InferenceThread = 'main' | 'worker';

/**
 * An ONNX Runtime session on the calling thread. onnxruntime-node's run() blocks that thread for
 * the length of the slice.
 */
export async function openSessionRunner(modelPath: string, intraOpThreads: number): Promise<BatchRunner> {
  const session = await ort.InferenceSession.create(modelPath, {
    intraOpNumThreads: intraOpThreads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  return {
    async run({ ids, mask, shape }) {
      const outputs = await session.run({
        input_ids: new ort.Tensor('int64', ids, shape),
        attention_mask: new ort.Tensor('int64', mask, shape),
      });
      return { probabilities: outputs.probabilities!.data as Float32Array, attribution: outputs.token_attribution!.data as Float32Array };
    },
    close: () => session.release(),
  };
}
