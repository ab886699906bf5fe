/**
 * The most characters of a text the model reads. The encoder keeps its first 128 tokens, and a
 * token covers at most 16 characters, so nothing beyond this can change a verdict; cutting first
 * bounds the work one text costs (normalising, tokenising, evidence) whatever its length.
 */
export const MAX_MODEL_CHARS = 2048;

/** The first `max` UTF-16 units of `text`, never splitting a surrogate pair. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const last = text.charCodeAt(max - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}

/**
 * Model input normalisation, shared by training and serving: lower case, because speech-to-text
 * output is cased inconsistently across providers and the training data is lower-cased.
 * Characters whose lower case has another length are kept so offsets stay valid for evidence.
 * Only the first MAX_MODEL_CHARS characters are kept.
 */
export function normalizeForModel(text: string): string {
  let out = '';
  for (const char of clip(text, MAX_MODEL_CHARS)) {
    const lower = char.toLowerCase();
    out += lower.length === char.length ? lower : char;
  }
  return out;
}
