/** The inference worker's thread: one ONNX session, slices answered in the order they come. */
import { parentPort, workerData } from 'node:worker_threads';
import { openSessionRunner } from './batch-runner.js';
import type { InferenceReply, InferenceRequest, InferenceWorkerData } from './inference-messages.js';

const { modelPath, intraOpThreads } = workerData as InferenceWorkerData;
const port = parentPort!;
const runner = await openSessionRunner(modelPath, intraOpThreads);
port.postMessage({ ready: true });

port.on('message', async ({ id, ...batch }: InferenceRequest) => {
  let reply: InferenceReply;
  try {
    reply = { id, ...(await runner.run(batch)) };
  } catch (error) {
    reply = { id, error: (error as Error).message };
  }
  port.postMessage(reply);
});
