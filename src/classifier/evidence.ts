import { clip, MAX_MODEL_CHARS } from './normalize.js';
import type { Token } from './tokenizer.js';
import { LABELS } from '../protocol/labels.js';
import type { EvidenceSpan, Label } from '../protocol/verdict.js';

/**
 * Runs of letters and stars; those holding "**" are profanity as speech-to-text services mask it
 * (f***, s***ing, a**hole, ****). One pass, no backtracking: linear in the text, however long a word.
 */
const LETTERS_AND_STARS = /[\p{L}*]+/gu;
const SECOND_PERSON = /\b(?:you|your|yours|yourself|you're|youre|ya|u)\b/giu;
const WORD = /[\p{L}\p{N}*'’]+/gu;
const MAX_MODEL_SPANS = 3;
/** Spans of each lexical kind shown at most (the first in the text): a cue stays small whatever was said. */
const MAX_LEXICAL_SPANS = 4;
/** Characters of one span's text shown at most. */
export const MAX_SPAN_CHARS = 48;
/** Words pushing less than this share of the strongest word are not shown. */
const MIN_RELATIVE_WEIGHT = 0.25;

/**
 * The words that drove a verdict, for the agent's screen: the model's most influential words
 * (token attributions summed per word, measured against "neutral"), plus masked profanity and,
 * for abuse and threats, second-person targeting.
 */
export function findEvidence(text: string, tokens: Token[], attribution: Float32Array, label: Label): EvidenceSpan[] {
  if (label === 'neutral') return [];
  const masked = lexicalSpans(text, LETTERS_AND_STARS, 'masked-profanity', (word) => word.includes('**'));
  const spans = [...modelSpans(text, tokens, attribution, label), ...masked];
  if (label === 'abusive' || label === 'threat') spans.push(...lexicalSpans(text, SECOND_PERSON, 'second-person'));
  return spans.sort((a, b) => a.start - b.start || a.kind.localeCompare(b.kind));
}

function lexicalSpans(
  text: string,
  pattern: RegExp,
  kind: EvidenceSpan['kind'],
  keep: (match: string) => boolean = () => true,
): EvidenceSpan[] {
  const spans: EvidenceSpan[] = [];
  for (const match of text.matchAll(pattern)) {
    if (!keep(match[0])) continue;
    spans.push(span(text, match.index, match.index + match[0].length, kind, 1));
    if (spans.length === MAX_LEXICAL_SPANS) break;
  }
  return spans;
}

/** A span whose text is at most MAX_SPAN_CHARS long (a longer one is cut, and its end with it). */
function span(text: string, start: number, end: number, kind: EvidenceSpan['kind'], weight: number): EvidenceSpan {
  const shown = clip(text.slice(start, end), MAX_SPAN_CHARS);
  return { start, end: start + shown.length, text: shown, kind, weight };
}

function modelSpans(text: string, tokens: Token[], attribution: Float32Array, label: Label): EvidenceSpan[] {
  const target = LABELS.indexOf(label);
  const neutral = LABELS.indexOf('neutral');
  // The tokens cover no more than the model read.
  const words = [...clip(text, MAX_MODEL_CHARS).matchAll(WORD)].map((match) => ({
    start: match.index,
    end: match.index + match[0].length,
    score: 0,
  }));
  tokens.forEach((token, i) => {
    const start =
      token.start + (text.slice(token.start, token.end).length - text.slice(token.start, token.end).trimStart().length);
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
    .map((w) => span(text, w.start, w.end, 'model', round(w.score / strongest)));
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
