import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { BatchOutputs, BatchRunner, PaddedBatch } from './batch-runner.js';
import type { InferenceReply, InferenceRequest, InferenceWorkerData } from './inference-messages.js';

const WORKER_URL = new URL(`./inference-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);

/** Under tsx the worker is TypeScript, and a worker thread does not inherit tsx's loader: it registers it first. */
function startWorker(workerData: InferenceWorkerData): Worker {
  if (!WORKER_URL.pathname.endsWith('.ts')) return new Worker(WORKER_URL, { workerData });
  const bootstrap = `import { register } from 'tsx/esm/api'; register(); await import(${JSON.stringify(WORKER_URL.href)});`;
  return new Worker(bootstrap, { eval: true, workerData });
}

interface InFlight {
  resolve(outputs: BatchOutputs): void;
  reject(error: Error): void;
}

/** Runs slices in the inference worker (src/classifier/inference-worker.ts), so the event loop stays free meanwhile. */
class WorkerRunner implements BatchRunner {
  readonly #worker: Worker;
  readonly #inFlight = new Map<number, InFlight>();
  #nextId = 0;
  #failure: Error | undefined;
  #closing = false;

  constructor(worker: Worker) {
    this.#worker = worker;
    worker.on('message', (reply: InferenceReply) => this.#settle(reply));
    worker.on('error', (error) => this.#fail(error));
    worker.on('exit', (code) => this.#fail(new Error(this.#closing ? 'classifier closed' : `inference worker exited with code ${code}`)));
  }

  run(batch: PaddedBatch): Promise<BatchOutputs> {
    if (this.#failure) return Promise.reject(this.#failure);
    const request: InferenceRequest = { id: this.#nextId++, ...batch };
    return new Promise((resolve, reject) => {
      this.#inFlight.set(request.id, { resolve, reject });
      this.#worker.postMessage(request, [batch.ids.buffer as ArrayBuffer, batch.mask.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    this.#closing = true;
    await this.#worker.terminate();
  }

  #settle(reply: InferenceReply): void {
    const inFlight = this.#inFlight.get(reply.id);
    if (!inFlight) return;
    this.#inFlight.delete(reply.id);
    if ('error' in reply) inFlight.reject(new Error(reply.error));
    else inFlight.resolve(reply);
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const inFlight of this.#inFlight.values()) inFlight.reject(this.#failure);
    this.#inFlight.clear();
  }
}

/** Starts the inference worker and resolves once its session has loaded. */
export async function openWorkerRunner(modelPath: string, intraOpThreads: number): Promise<BatchRunner> {
  const worker = startWorker({ modelPath, intraOpThreads });
  await new Promise<void>((resolve, reject) => {
    const onExit = (code: number) => reject(new Error(`inference worker exited with code ${code} while loading ${modelPath}`));
    worker.once('error', reject);
    worker.once('exit', onExit);
    worker.once('message', () => {
      worker.off('error', reject);
      worker.off('exit', onExit);
      resolve();
    });
  });
  return new WorkerRunner(worker);
}
