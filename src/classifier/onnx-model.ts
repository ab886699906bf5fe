import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSessionRunner, type BatchRunner, type InferenceThread, type ModelPaths } from './batch-runner.js';
import { MAX_CONTEXT_TURNS } from './classifier.js';
import { AGENT_ACTS, LABELS } from '../protocol/labels.js';
import { openWorkerRunner } from './worker-runner.js';

export interface LineOutput {
  /** The line read alone: class probabilities in LABELS order. */
  probabilities: Float32Array;
  /** Per token, per class (LABELS order) attribution: token count × label count, row-major. */
  attribution: Float32Array;
  /** The line's sentence embedding: what the context head reads, for this line and as context. */
  embedding: Float32Array;
  /** Agent-act probabilities in AGENT_ACTS order (meaningful for agent lines). */
  actProbabilities: Float32Array;
}

/** One earlier turn, as the context head reads it. */
interface EmbeddedTurn {
  embedding: Float32Array;
  agent: boolean;
}

/** A final to read in context: its own embedding and up to MAX_CONTEXT_TURNS earlier turns, oldest first. */
export interface ContextRow {
  target: Float32Array;
  targetAgent: boolean;
  turns: readonly EmbeddedTurn[];
}

export interface OnnxModelOptions {
  /** ONNX Runtime threads for one inference. */
  intraOpThreads: number;
  /**
   * A batch is sorted by length and run in slices of at most this many rows, so short
   * utterances are not padded to the longest one.
   */
  rowsPerRun: number;
  /** Set by INFERENCE_THREAD (README, "Configuration"). */
  inferenceThread: InferenceThread;
}

/**
 * One thread and 8 rows a run were measured fastest under load (MODEL_CARD.md); the main thread
 * gives the lower cue latency when cores are scarce (README, "Performance").
 */
export const onnxModelDefaults: OnnxModelOptions = { intraOpThreads: 1, rowsPerRun: 8, inferenceThread: 'main' };

function checkOrder(modelDir: string, file: string, expected: readonly string[]): void {
  const listed = JSON.parse(readFileSync(join(modelDir, file), 'utf8')) as string[];
  if (JSON.stringify(listed) !== JSON.stringify(expected)) {
    throw new Error(`${modelDir}/${file} lists ${listed.join(', ')}; this service expects ${expected.join(', ')}`);
  }
}

/**
 * The model folder's two graphs: model.onnx reads one line (input_ids + attention_mask →
 * probabilities, token_attribution, embedding, act_probabilities); context-head.onnx reads a
 * final's embedding with its earlier turns' embeddings and gives the final logits.
 */
export class OnnxModel {
  readonly #runner: BatchRunner;
  readonly #rowsPerRun: number;

  private constructor(runner: BatchRunner, rowsPerRun: number) {
    this.#runner = runner;
    this.#rowsPerRun = rowsPerRun;
  }

  static async load(modelDir: string, options: OnnxModelOptions): Promise<OnnxModel> {
    checkOrder(modelDir, 'labels.json', LABELS);
    checkOrder(modelDir, 'acts.json', AGENT_ACTS);
    const paths: ModelPaths = { line: join(modelDir, 'model.onnx'), context: join(modelDir, 'context-head.onnx') };
    const open = options.inferenceThread === 'worker' ? openWorkerRunner : openSessionRunner;
    return new OnnxModel(await open(paths, options.intraOpThreads), options.rowsPerRun);
  }

  /** Runs token-id sequences, padded per slice of similar length; results in input order. */
  async run(sequences: number[][]): Promise<LineOutput[]> {
    const order = sequences.map((_, i) => i).sort((a, b) => sequences[a]!.length - sequences[b]!.length);
    const outputs = new Array<LineOutput>(sequences.length);
    for (let start = 0; start < order.length; start += this.#rowsPerRun) {
      const slice = order.slice(start, start + this.#rowsPerRun);
      const sliceOutputs = await this.#runPadded(slice.map((i) => sequences[i]!));
      slice.forEach((i, j) => (outputs[i] = sliceOutputs[j]!));
    }
    return outputs;
  }

  /** The context head's logits (LABELS order) for each row, in input order. */
  async contextLogits(rows: readonly ContextRow[]): Promise<Float32Array[]> {
    if (rows.length === 0) return [];
    const width = rows[0]!.target.length;
    const turns = MAX_CONTEXT_TURNS;
    const target = new Float32Array(rows.length * width);
    const targetAgent = new Float32Array(rows.length);
    const context = new Float32Array(rows.length * turns * width);
    const contextMask = new Float32Array(rows.length * turns);
    const contextAgent = new Float32Array(rows.length * turns);
    rows.forEach((row, i) => {
      target.set(row.target, i * width);
      targetAgent[i] = row.targetAgent ? 1 : 0;
      const recent = row.turns.slice(-turns);
      recent.forEach((turn, j) => {
        const slot = i * turns + turns - recent.length + j;
        context.set(turn.embedding, slot * width);
        contextMask[slot] = 1;
        contextAgent[slot] = turn.agent ? 1 : 0;
      });
    });
    const logits = await this.#runner.runContext({
      target,
      targetAgent,
      context,
      contextMask,
      contextAgent,
      shape: [rows.length, turns, width],
    });
    return rows.map((_, i) => logits.slice(i * LABELS.length, (i + 1) * LABELS.length));
  }

  async #runPadded(sequences: number[][]): Promise<LineOutput[]> {
    const length = Math.max(1, ...sequences.map((ids) => ids.length));
    const ids = new BigInt64Array(sequences.length * length);
    const mask = new BigInt64Array(sequences.length * length);
    sequences.forEach((sequence, row) => {
      sequence.forEach((id, column) => {
        ids[row * length + column] = BigInt(id);
        mask[row * length + column] = 1n;
      });
    });
    const { probabilities, attribution, embedding, actProbabilities, embeddingWidth } = await this.#runner.runLines({
      ids,
      mask,
      shape: [sequences.length, length],
    });
    const labelCount = LABELS.length;
    const actCount = AGENT_ACTS.length;
    return sequences.map((sequence, row) => ({
      probabilities: probabilities.slice(row * labelCount, (row + 1) * labelCount),
      attribution: attribution.slice(row * length * labelCount, (row * length + sequence.length) * labelCount),
      embedding: embedding.slice(row * embeddingWidth, (row + 1) * embeddingWidth),
      actProbabilities: actProbabilities.slice(row * actCount, (row + 1) * actCount),
    }));
  }

  close(): Promise<void> {
    return this.#runner.close();
  }
}
