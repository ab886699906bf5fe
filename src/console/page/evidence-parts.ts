import type { Evidence } from '../../protocol/cue.js';

type Span = Evidence['spans'][number];

/**
 * evidence: the words that drove the verdict (the model's, or masked profanity);
 * target: words that only show who the remark was aimed at ("you"), shown more quietly.
 */
type PartKind = 'plain' | 'evidence' | 'target';

export interface TextPart {
  text: string;
  kind: PartKind;
}

interface Range {
  start: number;
  end: number;
  kind: Exclude<PartKind, 'plain'>;
}

/** Splits an utterance into plain and marked parts; overlapping or touching spans merge, evidence outranking target. */
export function splitEvidence(text: string, spans: readonly Span[]): TextPart[] {
  const ranges: Range[] = spans
    .map((s): Range => ({
      start: Math.max(0, s.start),
      end: Math.min(text.length, s.end),
      kind: s.kind === 'second-person' ? 'target' : 'evidence',
    }))
    .filter((r) => r.end > r.start)
    .sort((a, b) => a.start - b.start);
  const merged: Range[] = [];
  for (const range of ranges) {
    const last = merged.at(-1);
    if (last && range.start <= last.end) {
      last.end = Math.max(last.end, range.end);
      if (range.kind === 'evidence') last.kind = 'evidence';
    } else {
      merged.push({ ...range });
    }
  }
  const parts: TextPart[] = [];
  let at = 0;
  for (const { start, end, kind } of merged) {
    if (start > at) parts.push({ text: text.slice(at, start), kind: 'plain' });
    parts.push({ text: text.slice(start, end), kind });
    at = end;
  }
  if (at < text.length) parts.push({ text: text.slice(at), kind: 'plain' });
  return parts;
}
