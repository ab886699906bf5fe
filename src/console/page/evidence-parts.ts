import type { Evidence } from '../../protocol/cue.js';

type Span = Evidence['spans'][number];

export interface TextPart {
  text: string;
  evidence: boolean;
}

/** Splits an utterance into plain and evidence parts; overlapping or touching spans merge into one. */
export function splitEvidence(text: string, spans: readonly Span[]): TextPart[] {
  const ranges = spans
    .map((s) => ({ start: Math.max(0, s.start), end: Math.min(text.length, s.end) }))
    .filter((r) => r.end > r.start)
    .sort((a, b) => a.start - b.start);
  const merged: { start: number; end: number }[] = [];
  for (const range of ranges) {
    const last = merged.at(-1);
    if (last && range.start <= last.end) last.end = Math.max(last.end, range.end);
    else merged.push({ ...range });
  }
  const parts: TextPart[] = [];
  let at = 0;
  for (const { start, end } of merged) {
    if (start > at) parts.push({ text: text.slice(at, start), evidence: false });
    parts.push({ text: text.slice(start, end), evidence: true });
    at = end;
  }
  if (at < text.length) parts.push({ text: text.slice(at), evidence: false });
  return parts;
}
