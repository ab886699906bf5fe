import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
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

/** The exported classifier graph: input_ids + attention_mask → probabilities + token_attribution. */
export class OnnxModel {
  readonly #session: ort.InferenceSession;
  readonly #rowsPerRun: number;

  private constructor(session: ort.InferenceSession, rowsPerRun: number) {
    this.#session = session;
    this.#rowsPerRun = rowsPerRun;
  }

  static async load(modelDir: string, options: OnnxModelOptions): Promise<OnnxModel> {
    const labels = JSON.parse(readFileSync(join(modelDir, 'labels.json'), 'utf8')) as Label[];
    if (JSON.stringify(labels) !== JSON.stringify(LABELS)) {
      throw new Error(`${modelDir}/labels.json lists ${labels.join(', ')}; this service expects ${LABELS.join(', ')}`);
    }
    const session = await ort.InferenceSession.create(join(modelDir, 'model.onnx'), {
      intraOpNumThreads: options.intraOpThreads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
    return new OnnxModel(session, options.rowsPerRun);
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
    const shape = [sequences.length, length];
    const outputs = await this.#session.run({
      input_ids: new ort.Tensor('int64', ids, shape),
      attention_mask: new ort.Tensor('int64', mask, shape),
    });
    const probabilities = outputs.probabilities!.data as Float32Array;
    const attribution = outputs.token_attribution!.data as Float32Array;
    const labelCount = LABELS.length;
    return sequences.map((sequence, row) => ({
      probabilities: probabilities.slice(row * labelCount, (row + 1) * labelCount),
      attribution: attribution.slice(row * length * labelCount, (row * length + sequence.length) * labelCount),
    }));
  }

  async close(): Promise<void> {
    await this.#session.release();
  }
}
