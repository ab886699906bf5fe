import { readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { InferenceReply, InferenceRequest, InferenceWorkerData } from './inference-messages.js';
import { LABELS, type Label } from './verdict.js';

export interface ModelOutput {
  /** Class probabilities in LABELS order. */
  probabilities: Float32Array;
  /** Per token, per class (LABELS order) attribution: token count × label count, row-major. */
  attribution: Float32Array;
}

export interface OnnxModelOptions {
  /** Threads for one inference; see MODEL_CARD.md for the measurement behind the default. */
  intraOpThreads: number;
  /**
   * A batch is sorted by length and run in slices of at most this many rows, so short
   * utterances are not padded to the longest one (measured in MODEL_CARD.md).
   */
  rowsPerRun: number;
}

interface InFlight {
  resolve(outputs: { probabilities: Float32Array; attribution: Float32Array }): void;
  reject(error: Error): void;
}

const WORKER_URL = new URL(`./inference-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);

/** Under tsx the worker is TypeScript, and a worker thread does not inherit tsx's loader: it registers it first. */
function startWorker(workerData: InferenceWorkerData): Worker {
  if (!WORKER_URL.pathname.endsWith('.ts')) return new Worker(WORKER_URL, { workerData });
  const bootstrap = `import { register } from 'tsx/esm/api'; register(); await import(${JSON.stringify(WORKER_URL.href)});`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/**
 * The exported classifier graph (input_ids + attention_mask → probabilities + token_attribution),
 * run by an inference worker thread so the event loop keeps serving sockets during a batch.
 */
export class OnnxModel {
  readonly #worker: Worker;
  readonly #rowsPerRun: number;
  readonly #inFlight = new Map<number, InFlight>();
  #nextId = 0;
  #failure: Error | undefined;
  #closing = false;

  private constructor(worker: Worker, rowsPerRun: number) {
    this.#worker = worker;
    this.#rowsPerRun = rowsPerRun;
    worker.on('message', (reply: InferenceReply) => this.#settle(reply));
    worker.on('error', (error) => this.#fail(error));
    worker.on('exit', (code) => this.#fail(new Error(this.#closing ? 'classifier closed' : `inference worker exited with code ${code}`)));
  }

  static async load(modelDir: string, options: OnnxModelOptions): Promise<OnnxModel> {
    const labels = JSON.parse(readFileSync(join(modelDir, 'labels.json'), 'utf8')) as Label[];
    if (JSON.stringify(labels) !== JSON.stringify(LABELS)) {
      throw new Error(`${modelDir}/labels.json lists ${labels.join(', ')}; this service expects ${LABELS.join(', ')}`);
    }
    const workerData: InferenceWorkerData = { modelPath: join(modelDir, 'model.onnx'), intraOpThreads: options.intraOpThreads };
    const worker = startWorker(workerData);
    await new Promise<void>((resolve, reject) => {
      const onExit = (code: number) => reject(new Error(`inference worker exited with code ${code} while loading ${modelDir}`));
      worker.once('error', reject);
      worker.once('exit', onExit);
      worker.once('message', () => {
        worker.off('error', reject);
        worker.off('exit', onExit);
        resolve();
      });
    });
    return new OnnxModel(worker, options.rowsPerRun);
  }

  /** Runs token-id sequences, padded per slice of similar length; results in input order. */
  async run(sequences: number[][]): Promise<ModelOutput[]> {
    const order = sequences.map((_, i) => i).sort((a, b) => sequences[a]!.length - sequences[b]!.length);
    const outputs = new Array<ModelOutput>(sequences.length);
    for (let start = 0; start < order.length; start += this.#rowsPerRun) {
      const slice = order.slice(start, start + this.#rowsPerRun);
      const sliceOutputs = await this.#runPadded(slice.map((i) => sequences[i]!));
      slice.forEach((i, j) => (outputs[i] = sliceOutputs[j]!));
    }
    return outputs;
  }

  async #runPadded(sequences: number[][]): Promise<ModelOutput[]> {
    const length = Math.max(1, ...sequences.map((ids) => ids.length));
    const ids = new BigInt64Array(sequences.length * length);
    const mask = new BigInt64Array(sequences.length * length);
    sequences.forEach((sequence, row) => {
      sequence.forEach((id, column) => {
        ids[row * length + column] = BigInt(id);
        mask[row * length + column] = 1n;
      });
    });
    const { probabilities, attribution } = await this.#infer(ids, mask, [sequences.length, length]);
    const labelCount = LABELS.length;
    return sequences.map((sequence, row) => ({
      probabilities: probabilities.slice(row * labelCount, (row + 1) * labelCount),
      attribution: attribution.slice(row * length * labelCount, (row * length + sequence.length) * labelCount),
    }));
  }

  #infer(ids: BigInt64Array, mask: BigInt64Array, shape: [number, number]) {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    const request: InferenceRequest = { id, ids, mask, shape };
    return new Promise<{ probabilities: Float32Array; attribution: Float32Array }>((resolve, reject) => {
      this.#inFlight.set(id, { resolve, reject });
      this.#worker.postMessage(request, [ids.buffer as ArrayBuffer, mask.buffer as ArrayBuffer]);
    });
  }

  #settle(reply: InferenceReply): void {
    const inFlight = this.#inFlight.get(reply.id);
    if (!inFlight) return;
    this.#inFlight.delete(reply.id);
    if ('error' in reply) inFlight.reject(new Error(`inference failed: ${reply.error}`));
    else inFlight.resolve(reply);
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const inFlight of this.#inFlight.values()) inFlight.reject(this.#failure);
    this.#inFlight.clear();
  }

  async close(): Promise<void> {
    this.#closing = true;
    await this.#worker.terminate();
  }
}
