import type { Token } from './tokenizer.js';
import { LABELS, type EvidenceSpan, type Label } from './verdict.js';

/** Profanity as speech-to-text services mask it: f***, s***ing, a**hole, ****. */
const MASKED_PROFANITY = /[\p{L}]*\*{2,}[\p{L}]*/gu;
const SECOND_PERSON = /\b(?:you|your|yours|yourself|you're|youre|ya|u)\b/giu;
const WORD = /[\p{L}\p{N}*'’]+/gu;
const MAX_MODEL_SPANS = 3;
/** Words pushing less than this share of the strongest word are not shown. */
const MIN_RELATIVE_WEIGHT = 0.25;

/**
 * The words that drove a verdict, for the agent's screen: the model's most influential words
 * (token attributions summed per word, measured against "neutral"), plus masked profanity and,
 * for abuse and threats, second-person targeting.
 */
export function findEvidence(text: string, tokens: Token[], attribution: Float32Array, label: Label): EvidenceSpan[] {
  if (label === 'neutral') return [];
  const spans = [...modelSpans(text, tokens, attribution, label), ...lexicalSpans(text, MASKED_PROFANITY, 'masked-profanity')];
  if (label === 'abusive' || label === 'threat') spans.push(...lexicalSpans(text, SECOND_PERSON, 'second-person'));
  return spans.sort((a, b) => a.start - b.start || a.kind.localeCompare(b.kind));
}

function lexicalSpans(text: string, pattern: RegExp, kind: EvidenceSpan['kind']): EvidenceSpan[] {
  return [...text.matchAll(pattern)].map((match) => ({
    start: match.index,
    end: match.index + match[0].length,
    text: match[0],
    kind,
    weight: 1,
  }));
}

function modelSpans(text: string, tokens: Token[], attribution: Float32Array, label: Label): EvidenceSpan[] {
  const target = LABELS.indexOf(label);
  const neutral = LABELS.indexOf('neutral');
  const words = [...text.matchAll(WORD)].map((match) => ({ start: match.index, end: match.index + match[0].length, score: 0 }));
  tokens.forEach((token, i) => {
    const start = token.start + (text.slice(token.start, token.end).length - text.slice(token.start, token.end).trimStart().length);
    const word = words.find((w) => start >= w.start && start < w.end);
    if (word) {
      word.score += attribution[i * LABELS.length + target]! - attribution[i * LABELS.length + neutral]!;
    }
  });
  const strongest = Math.max(0, ...words.map((w) => w.score));
  if (strongest === 0) return [];
  return words
    .filter((w) => w.score >= strongest * MIN_RELATIVE_WEIGHT)
    .sort((a, b) => b.score - a.score)
    .slice(0, MAX_MODEL_SPANS)
    .map((w) => ({ start: w.start, end: w.end, text: text.slice(w.start, w.end), kind: 'model' as const, weight: round(w.score / strongest) }));
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
