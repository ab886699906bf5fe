import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSessionRunner, type BatchRunner, type InferenceThread } from './batch-runner.js';
import { LABELS, type Label } from './verdict.js';
import { openWorkerRunner } from './worker-runner.js';

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
  inferenceThread: InferenceThread;
}

/** The exported classifier graph: input_ids + attention_mask → probabilities + token_attribution. */
export class OnnxModel {
  readonly #runner: BatchRunner;
  readonly #rowsPerRun: number;

  private constructor(runner: BatchRunner, rowsPerRun: number) {
    this.#runner = runner;
    this.#rowsPerRun = rowsPerRun;
  }

  static async load(modelDir: string, options: OnnxModelOptions): Promise<OnnxModel> {
    const labels = JSON.parse(readFileSync(join(modelDir, 'labels.json'), 'utf8')) as Label[];
    if (JSON.stringify(labels) !== JSON.stringify(LABELS)) {
      throw new Error(`${modelDir}/labels.json lists ${labels.join(', ')}; this service expects ${LABELS.join(', ')}`);
    }
    const open = options.inferenceThread === 'worker' ? openWorkerRunner : openSessionRunner;
    return new OnnxModel(await open(join(modelDir, 'model.onnx'), options.intraOpThreads), options.rowsPerRun);
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
    const { probabilities, attribution } = await this.#runner.run({ ids, mask, shape: [sequences.length, length] });
    const labelCount = LABELS.length;
    return sequences.map((sequence, row) => ({
      probabilities: probabilities.slice(row * labelCount, (row + 1) * labelCount),
      attribution: attribution.slice(row * length * labelCount, (row * length + sequence.length) * labelCount),
    }));
  }

  close(): Promise<void> {
    return this.#runner.close();
  }
}
