/**
 * Runs the ONNX session off the main thread: onnxruntime-node's run() blocks the thread that
 * calls it, which would stall every socket of the service for the length of a batch.
 */
import { parentPort, workerData } from 'node:worker_threads';
import ort from 'onnxruntime-node';
import type { InferenceReply, InferenceRequest, InferenceWorkerData } from './inference-messages.js';

const { modelPath, intraOpThreads } = workerData as InferenceWorkerData;
const port = parentPort!;
const session = await ort.InferenceSession.create(modelPath, {
  intraOpNumThreads: intraOpThreads,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
});
port.postMessage({ ready: true });

port.on('message', async ({ id, ids, mask, shape }: InferenceRequest) => {
  let reply: InferenceReply;
  try {
    const outputs = await session.run({
      input_ids: new ort.Tensor('int64', ids, shape),
      attention_mask: new ort.Tensor('int64', mask, shape),
    });
    const probabilities = outputs.probabilities!.data as Float32Array;
    const attribution = outputs.token_attribution!.data as Float32Array;
    reply = { id, probabilities, attribution };
  } catch (error) {
    reply = { id, error: (error as Error).message };
  }
  port.postMessage(reply);
});
