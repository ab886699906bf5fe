import type { Label } from '../../src/protocol/verdict.js';
import type { SourceSplits } from './types.js';

export interface LabelledSource<Row> {
  source: string;
  text: (row: Row) => string;
  /** The row's label, or undefined to drop it. */
  label: (row: Row) => Label | undefined;
  /** Whether a kept row trains; the others are held out. */
  trains: (row: Row) => boolean;
  /** The identity group the row names, where the source tags one. */
  group?: (row: Row) => string | undefined;
}

/** Each row the source labels, as an example in file order, on the side `trains` picks. */
export function splitLabelled<Row>(
  rows: readonly Row[],
  { source, text, label, trains, group }: LabelledSource<Row>,
): SourceSplits {
  const splits: SourceSplits = { train: [], test: [] };
  for (const row of rows) {
    const rowLabel = label(row);
    if (!rowLabel) continue;
    const rowGroup = group?.(row);
    const example = {
      text: text(row),
      label: rowLabel,
      source,
      ...(rowGroup !== undefined ? { group: rowGroup } : {}),
    };
    (trains(row) ? splits.train : splits.test).push(example);
  }
  return splits;
}
