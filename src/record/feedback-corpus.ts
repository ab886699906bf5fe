import type { FeedbackRow } from './incident-store.js';

/** Corrections as training-corpus rows (training/corpus/README.md): the newest correction of each line counts. */
export function feedbackCorpus(rows: readonly FeedbackRow[]): string[] {
  const newest = new Map<string, FeedbackRow>();
  for (const row of rows) newest.set(JSON.stringify([row.tenant, row.callId, row.epoch, row.segmentId]), row);
  return [...newest.values()].map((row) =>
    JSON.stringify({
      text: row.text,
      label: row.label,
      split: 'train',
      case: 'feedback',
      ...(row.speaker === 'agent' ? { speaker: 'agent' } : {}),
    }),
  );
}
