import { join } from 'node:path';
import type { InferenceThread } from './batch-runner.js';
import { calibratedProbabilities, readCalibration } from './calibration.js';
import { EmbeddingCache } from './embedding-cache.js';
import { findEvidence } from './evidence.js';
import { batchDefaults, MicroBatcher, type BatchInfo, type BatchSettings } from './micro-batcher.js';
import { normalizeForModel } from './normalize.js';
import { OnnxModel, onnxModelDefaults, type LineOutput, type OnnxModelOptions } from './onnx-model.js';
import { lineTokenIds, speakerPrefix } from './speaker-marker.js';
import { Tokenizer, type Token } from './tokenizer.js';
import type { SpeakerRole } from '../protocol/transcript-chunk.js';
import { MAX_CONTEXT_TURNS, type Classifier, type Priority } from './classifier.js';
import { AGENT_ACTS, LABELS } from '../protocol/labels.js';
import type { AgentAct, ContextTurn, Scores, Verdict } from '../protocol/verdict.js';

const THREAT = LABELS.indexOf('threat');

/** An utterance is tokenised when it is submitted, so a batch is ready to run the moment it starts. */
interface TokenizedUtterance {
  text: string;
  speaker: SpeakerRole;
  prefix: number[];
  tokens: Token[];
  /** The earlier turns the context head reads (non-empty, at most MAX_CONTEXT_TURNS, oldest first), with their cache keys. */
  context: (ContextTurn & { key: string })[];
  /** A call's finals are cached for the turns after them; partials (about to change) and bulk texts (no call's turns) are not. */
  final: boolean;
}

export { QueueFullError } from './micro-batcher.js';
export type { BatchInfo } from './micro-batcher.js';
export type { InferenceThread } from './batch-runner.js';

export interface ClassifierOptions extends BatchSettings, OnnxModelOptions {
  /** Set by MODEL_DIR (README, "Configuration"). */
  modelDir: string;
  /**
   * Line embeddings kept for use as context (2 KB each). A context turn not found here is
   * embedded again with the batch.
   */
  embeddingCacheSize: number;
  onBatch?(info: BatchInfo): void;
}

/** The default cache holds the last four finals of 2,000 calls. */
export const classifierDefaults: ClassifierOptions = {
  ...batchDefaults,
  ...onnxModelDefaults,
  modelDir: 'models/use-lite-abuse',
  embeddingCacheSize: 8192,
};

export interface BatchingClassifier extends Classifier {
  /** Requests waiting for a batch. */
  readonly queueDepth: number;
}

/**
 * Loads the model folder (model.onnx, context-head.onnx, vocab.json, labels.json, acts.json,
 * calibration.json) and serves it through a micro-batcher. Each line is embedded once; a final
 * is then read with the cached embeddings of the call's previous finals by the context head.
 */
export async function loadClassifier(settings: Partial<ClassifierOptions> = {}): Promise<BatchingClassifier> {
  const options = { ...classifierDefaults, ...settings };
  const tokenizer = Tokenizer.fromFile(join(options.modelDir, 'vocab.json'));
  const { temperature } = readCalibration(options.modelDir);
  const model = await OnnxModel.load(options.modelDir, options);
  const cache = new EmbeddingCache(options.embeddingCacheSize);
  const verdictOf = (
    utterance: TokenizedUtterance,
    line: LineOutput,
    logits: Float32Array,
    aloneLogits: Float32Array | undefined,
  ): Verdict => {
    const { text, prefix, tokens, speaker } = utterance;
    const probabilities = calibratedProbabilities(logits, temperature);
    const scores = Object.fromEntries(LABELS.map((label, j) => [label, round(probabilities[j]!)])) as Scores;
    const label = LABELS[probabilities.indexOf(Math.max(...probabilities))]!;
    // The speaker marker is no word of the text: its attribution row is not evidence. Attribution is
    // the line head's, over the target line's own words: context shifts the label, not the words shown.
    const attribution = line.attribution.subarray(prefix.length * LABELS.length);
    const verdict: Verdict = { label, scores, spans: findEvidence(text, tokens, attribution, label) };
    if (speaker === 'agent') {
      const actScores = Object.fromEntries(
        AGENT_ACTS.map((act, j) => [act, round(line.actProbabilities[j]!)]),
      ) as Record<AgentAct, number>;
      verdict.actScores = actScores;
      verdict.act = AGENT_ACTS[line.actProbabilities.indexOf(Math.max(...line.actProbabilities))]!;
    }
    if (aloneLogits) verdict.threatAlone = round(calibratedProbabilities(aloneLogits, temperature)[THREAT]!);
    return verdict;
  };

  const batcher = new MicroBatcher<TokenizedUtterance, Verdict>({
    ...options,
    async runBatch(utterances) {
      // Context turns come from the cache; the few that are not there are embedded with the batch.
      const embeddings = new Map<string, Float32Array>();
      const toEmbed = new Map<string, number[]>();
      for (const { context } of utterances) {
        for (const { speaker, text, key } of context) {
          if (embeddings.has(key) || toEmbed.has(key)) continue;
          const cached = cache.get(key);
          if (cached) embeddings.set(key, cached);
          else toEmbed.set(key, lineTokenIds(tokenizer, speaker, text));
        }
      }
      const targets = utterances.map(({ prefix, tokens }) => [...prefix, ...tokens.map((token) => token.id)]);
      const lines = await model.run([...targets, ...toEmbed.values()]);
      [...toEmbed.keys()].forEach((key, i) => {
        const { embedding } = lines[utterances.length + i]!;
        embeddings.set(key, embedding);
        cache.set(key, embedding);
      });
      utterances.forEach(({ speaker, text, final }, i) => {
        if (final) cache.set(EmbeddingCache.key(speaker, text), lines[i]!.embedding);
      });
      // A customer line with context is also read without it (the head only; the line is embedded once):
      // context can talk a threat down, and the ladder acts on the higher of the two threat scores. A
      // partial is too, since its verdict stands for a final with the same words and context.
      const readAlone = utterances.flatMap(({ speaker, context }, i) =>
        speaker === 'customer' && context.length > 0 ? [i] : [],
      );
      const logits = await model.contextLogits([
        ...utterances.map(({ speaker, context }, i) => ({
          target: lines[i]!.embedding,
          targetAgent: speaker === 'agent',
          turns: context.map((turn) => ({ embedding: embeddings.get(turn.key)!, agent: turn.speaker === 'agent' })),
        })),
        ...readAlone.map((i) => ({ target: lines[i]!.embedding, targetAgent: false, turns: [] })),
      ]);
      const aloneLogits = new Map(readAlone.map((i, k) => [i, logits[utterances.length + k]!]));
      return utterances.map((utterance, i) => verdictOf(utterance, lines[i]!, logits[i]!, aloneLogits.get(i)));
    },
  });
  const tokenize = (
    text: string,
    priority: Priority,
    speaker: SpeakerRole,
    context: readonly ContextTurn[],
  ): TokenizedUtterance => ({
    text,
    speaker,
    prefix: speakerPrefix(tokenizer, speaker),
    tokens: tokenizer.tokenize(normalizeForModel(text)),
    context: context
      .filter((turn) => turn.text.trim() !== '')
      .slice(-MAX_CONTEXT_TURNS)
      .map((turn) => ({ ...turn, key: EmbeddingCache.key(turn.speaker, turn.text) })),
    final: priority === 'final',
  });
  return {
    classify: (
      text: string,
      priority: Priority = 'final',
      speaker: SpeakerRole = 'customer',
      context: readonly ContextTurn[] = [],
      lane?: string,
    ) => batcher.submit(tokenize(text, priority, speaker, context), priority, lane),
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
