/**
 * Model input normalisation, shared by training and serving: lower case, because speech-to-text
 * output is cased inconsistently across providers and the training data is lower-cased.
 * Characters whose lower case has another length are kept so offsets stay valid for evidence.
 */
export function normalizeForModel(text: string): string {
  let out = '';
  for (const char of text) {
    const lower = char.toLowerCase();
    out += lower.length === char.length ? lower : char;
  }
  return out;
}
