/** The inference worker's thread: the model's ONNX sessions, requests answered in the order they come. */
import { parentPort, workerData } from 'node:worker_threads';
import { openSessionRunner } from './batch-runner.js';
import type { InferenceReply, InferenceRequest, InferenceWorkerData } from './inference-messages.js';

const { paths, intraOpThreads } = workerData as InferenceWorkerData;
const port = parentPort!;
const runner = await openSessionRunner(paths, intraOpThreads);
port.postMessage({ ready: true });

port.on('message', async (request: InferenceRequest) => {
  let reply: InferenceReply;
  try {
    reply =
      request.graph === 'line'
        ? { id: request.id, lines: await runner.runLines(request.batch) }
        : { id: request.id, logits: await runner.runContext(request.batch) };
  } catch (error) {
    reply = { id: request.id, error: (error as Error).message };
  }
  port.postMessage(reply);
});
