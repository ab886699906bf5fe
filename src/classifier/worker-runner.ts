import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { BatchRunner, ContextBatch, LineOutputs, ModelPaths, PaddedBatch } from './batch-runner.js';
import type { InferenceReply, InferenceRequest, InferenceWorkerData } from './inference-messages.js';

const WORKER_URL = new URL(`./inference-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);

/** Under tsx the worker is TypeScript, and a worker thread does not inherit tsx's loader: it registers it first. */
function startWorker(workerData: InferenceWorkerData): Worker {
  if (!WORKER_URL.pathname.endsWith('.ts')) return new Worker(WORKER_URL, { workerData });
  const bootstrap = `import { register } from 'tsx/esm/api'; register(); await import(${JSON.stringify(WORKER_URL.href)});`;
  return new Worker(bootstrap, { eval: true, workerData });
}

interface InFlight {
  resolve(reply: InferenceReply): void;
  reject(error: Error): void;
}

/** Runs batches in the inference worker (src/classifier/inference-worker.ts), so the event loop stays free meanwhile. */
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
    worker.on('exit', (code) =>
      this.#fail(new Error(this.#closing ? 'classifier closed' : `inference worker exited with code ${code}`)),
    );
  }

  async runLines(batch: PaddedBatch): Promise<LineOutputs> {
    const reply = await this.#request({ id: this.#nextId++, graph: 'line', batch }, [
      batch.ids.buffer,
      batch.mask.buffer,
    ]);
    return (reply as { lines: LineOutputs }).lines;
  }

  async runContext(batch: ContextBatch): Promise<Float32Array> {
    const buffers = [batch.target, batch.targetAgent, batch.context, batch.contextMask, batch.contextAgent].map(
      (array) => array.buffer,
    );
    const reply = await this.#request({ id: this.#nextId++, graph: 'context', batch }, buffers);
    return (reply as { logits: Float32Array }).logits;
  }

  #request(request: InferenceRequest, transfer: ArrayBufferLike[]): Promise<InferenceReply> {
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#inFlight.set(request.id, { resolve, reject });
      this.#worker.postMessage(request, transfer as ArrayBuffer[]);
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
export async function openWorkerRunner(paths: ModelPaths, intraOpThreads: number): Promise<BatchRunner> {
  const worker = startWorker({ paths, intraOpThreads });
  await new Promise<void>((resolve, reject) => {
    const onExit = (code: number) =>
      reject(new Error(`inference worker exited with code ${code} while loading ${paths.line}`));
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
