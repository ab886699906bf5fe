import ort from 'onnxruntime-node';

/** One padded slice of lines: token ids and attention mask, rows × tokens. */
export interface PaddedBatch {
  ids: BigInt64Array;
  mask: BigInt64Array;
  shape: [rows: number, tokens: number];
}

/**
 * The line graph's outputs for a slice: probabilities (rows × labels), token_attribution
 * (rows × tokens × labels), embedding (rows × width: what the context head reads) and
 * act probabilities (rows × acts).
 */
export interface LineOutputs {
  probabilities: Float32Array;
  attribution: Float32Array;
  embedding: Float32Array;
  actProbabilities: Float32Array;
  embeddingWidth: number;
}

/**
 * The context head's inputs for `rows` finals, row-major: the target line's embedding (rows × width),
 * whether an agent said it (rows), and `turns` earlier turns per row, right-aligned with the most
 * recent last: embeddings (rows × turns × width), presence mask and agent flags (rows × turns).
 */
export interface ContextBatch {
  target: Float32Array;
  targetAgent: Float32Array;
  context: Float32Array;
  contextMask: Float32Array;
  contextAgent: Float32Array;
  shape: [rows: number, turns: number, width: number];
}

/** Where the two graphs of a model folder are. */
export interface ModelPaths {
  line: string;
  context: string;
}

/** Runs the line graph and the context head, on this thread or in the inference worker. */
export interface BatchRunner {
  runLines(batch: PaddedBatch): Promise<LineOutputs>;
  /** The context head's logits, rows × labels. */
  runContext(batch: ContextBatch): Promise<Float32Array>;
  close(): Promise<void>;
}

/** Where inference runs: on the event loop's thread, or in a worker thread of its own (README, "Performance"). */
export type InferenceThread = 'main' | 'worker';

/**
 * ONNX Runtime sessions on the calling thread. onnxruntime-node's run() blocks that thread for
 * the length of the slice.
 */
export async function openSessionRunner(paths: ModelPaths, intraOpThreads: number): Promise<BatchRunner> {
  const options: ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: intraOpThreads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  };
  const line = await ort.InferenceSession.create(paths.line, options);
  const context = await ort.InferenceSession.create(paths.context, options).catch(async (error: unknown) => {
    await line.release();
    throw error;
  });
  return {
    async runLines({ ids, mask, shape }) {
      const outputs = await line.run({
        input_ids: new ort.Tensor('int64', ids, shape),
        attention_mask: new ort.Tensor('int64', mask, shape),
      });
      return {
        probabilities: outputs.probabilities!.data as Float32Array,
        attribution: outputs.token_attribution!.data as Float32Array,
        embedding: outputs.embedding!.data as Float32Array,
        actProbabilities: outputs.act_probabilities!.data as Float32Array,
        embeddingWidth: outputs.embedding!.dims[1]!,
      };
    },
    async runContext({ target, targetAgent, context: turns, contextMask, contextAgent, shape: [rows, count, width] }) {
      const outputs = await context.run({
        target_embedding: new ort.Tensor('float32', target, [rows, width]),
        target_agent: new ort.Tensor('float32', targetAgent, [rows]),
        context_embeddings: new ort.Tensor('float32', turns, [rows, count, width]),
        context_mask: new ort.Tensor('float32', contextMask, [rows, count]),
        context_agent: new ort.Tensor('float32', contextAgent, [rows, count]),
      });
      return outputs.logits!.data as Float32Array;
    },
    async close() {
      await line.release();
      await context.release();
    },
  };
}
