import { join } from 'node:path';
import type { InferenceThread } from './batch-runner.js';
import { findEvidence } from './evidence.js';
import { MicroBatcher, type BatchInfo } from './micro-batcher.js';
import { normalizeForModel } from './normalize.js';
import { OnnxModel } from './onnx-model.js';
import { speakerPrefix } from './speaker-marker.js';
import { Tokenizer, type Token } from './tokenizer.js';
import type { SpeakerRole } from '../protocol/transcript-chunk.js';
import { LABELS, type Classifier, type Priority, type Scores, type Verdict } from './verdict.js';

/** An utterance is tokenised when it is submitted, so a batch is ready to run the moment it starts. */
interface TokenizedUtterance {
  text: string;
  prefix: number[];
  tokens: Token[];
}

export { QueueFullError, BatcherClosedError } from './micro-batcher.js';
export type { BatchInfo } from './micro-batcher.js';
export type { InferenceThread } from './batch-runner.js';

export interface ClassifierOptions {
  modelDir: string;
  maxBatch: number;
  maxWaitMs: number;
  maxQueue: number;
  /** ONNX Runtime threads per inference (default 1: measured fastest under load, see MODEL_CARD.md). */
  intraOpThreads?: number;
  /** Rows per ONNX run within a batch (default 8, measured fastest; see MODEL_CARD.md). */
  rowsPerRun?: number;
  /** Where ONNX Runtime runs (default main: the lower cue latency when cores are scarce; README, "Performance"). */
  inferenceThread?: InferenceThread;
  onBatch?(info: BatchInfo): void;
}

export interface BatchingClassifier extends Classifier {
  /** Requests waiting for a batch. */
  readonly queueDepth: number;
}

/** Loads the model folder (model.onnx, vocab.json, labels.json) and serves it through a micro-batcher. */
export async function loadClassifier(options: ClassifierOptions): Promise<BatchingClassifier> {
  const tokenizer = Tokenizer.fromFile(join(options.modelDir, 'vocab.json'));
  const model = await OnnxModel.load(options.modelDir, {
    intraOpThreads: options.intraOpThreads ?? 1,
    rowsPerRun: options.rowsPerRun ?? 8,
    inferenceThread: options.inferenceThread ?? 'main',
  });
  const batcher = new MicroBatcher<TokenizedUtterance, Verdict>({
    maxBatch: options.maxBatch,
    maxWaitMs: options.maxWaitMs,
    maxQueue: options.maxQueue,
    onBatch: options.onBatch,
    async runBatch(utterances) {
      const outputs = await model.run(utterances.map(({ prefix, tokens }) => [...prefix, ...tokens.map((token) => token.id)]));
      return outputs.map((output, i) => {
        const { text, prefix, tokens } = utterances[i]!;
        const scores = Object.fromEntries(LABELS.map((label, j) => [label, round(output.probabilities[j]!)])) as Scores;
        const label = LABELS[output.probabilities.indexOf(Math.max(...output.probabilities))]!;
        // The speaker marker is no word of the text: its attribution row is not evidence.
        const attribution = output.attribution.subarray(prefix.length * LABELS.length);
        return { label, scores, spans: findEvidence(text, tokens, attribution, label) };
      });
    },
  });
  const tokenize = (text: string, speaker: SpeakerRole): TokenizedUtterance => ({
    text,
    prefix: speakerPrefix(tokenizer, speaker),
    tokens: tokenizer.tokenize(normalizeForModel(text)),
  });
  return {
    classify: (text: string, priority: Priority = 'final', speaker: SpeakerRole = 'customer') => batcher.submit(tokenize(text, speaker), priority),
    get queueDepth() {
      return batcher.depth;
    },
    async close() {
      await batcher.close();
      await model.close();
    },
  };
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
