import type { SpeakerRole } from '../protocol/transcript-chunk.js';
import { normalizeForModel } from './normalize.js';
import type { Tokenizer } from './tokenizer.js';

/** A spare control symbol of the encoder's vocabulary, which the tokenizer never produces from text. */
const AGENT_MARKER = 'extra_token_id_1';

/**
 * The model reads who is speaking from a marker token before the words: agent speech starts with
 * AGENT_MARKER; customer speech, like all the public training text, has none. An agent's "pull it
 * out towards you" is an instruction, a customer's may not be, and the model can only tell if it
 * knows the speaker. Training (training/tokenize-splits.ts) and serving both call this.
 */
export function speakerPrefix(tokenizer: Tokenizer, speaker: SpeakerRole): number[] {
  return speaker === 'agent' ? [tokenizer.controlId(AGENT_MARKER)] : [];
}

/** The token ids the model reads for one line: the speaker marker, then the normalised words. */
export function lineTokenIds(tokenizer: Tokenizer, speaker: SpeakerRole, text: string): number[] {
  return [...speakerPrefix(tokenizer, speaker), ...tokenizer.encode(normalizeForModel(text))];
}
