import { join } from 'node:path';
import type { Label } from '../../src/protocol/verdict.js';
import { readCsv, readTsv, withHeader } from './delimited.js';
import { addressesListener, hasInsult, hasSwearing, insultsListener } from './lexicon.js';
import { capNeutralTraining } from './neutral-caps.js';
import type { Example, SourceSplits } from './types.js';

const SOURCE = 'olid';

export interface OlidRow {
  text: string;
  offensive: string; // subtask A: NOT / OFF
  targeted: string; // subtask B: TIN / UNT / NULL
  target: string; // subtask C: IND / GRP / OTH / NULL
}

/**
 * NOT → neutral. OFF+UNT (untargeted swearing) and OFF+TIN+OTH (offence at an organisation,
 * event or issue) → venting. OFF+TIN aimed at a person or group → abusive only when spoken to
 * the listener (second person, no he/she) with an insult or swearing in it (annotators also
 * marked "not if you are from wisconsin" and generic "you" as targeted); otherwise it is mostly abuse of public figures
 * ("Hillary is a crook"), which a caller saying it about a politician is not doing to the agent:
 * dropped rather than taught as either label.
 */
export function mapOlid(row: OlidRow): Label | undefined {
  if (row.offensive === 'NOT') return 'neutral';
  if (row.targeted === 'UNT' || row.target === 'OTH') return 'venting';
  const rude = hasInsult(row.text) || hasSwearing(row.text) || insultsListener(row.text);
  return addressesListener(row.text) && rude ? 'abusive' : undefined;
}

function toExamples(rows: OlidRow[]): Example[] {
  return rows.flatMap((row) => {
    const label = mapOlid(row);
    return label ? [{ text: row.text, label, source: SOURCE }] : [];
  });
}

function labelsById(path: string): Map<string, string> {
  return new Map(readCsv(path).map(([id = '', label = '']) => [id, label]));
}

export function load(dataDir: string): SourceSplits {
  const dir = join(dataDir, 'olid');
  const train = withHeader(readTsv(join(dir, 'olid-training-v1.0.tsv'))).map((r) => ({
    text: r.tweet ?? '',
    offensive: r.subtask_a ?? '',
    targeted: r.subtask_b ?? '',
    target: r.subtask_c ?? '',
  }));
  const [a, b, c] = ['a', 'b', 'c'].map((level) => labelsById(join(dir, `labels-level${level}.csv`)));
  const test = withHeader(readTsv(join(dir, 'testset-levela.tsv'))).map((r) => {
    const id = r.id ?? '';
    return {
      text: r.tweet ?? '',
      offensive: a?.get(id) ?? '',
      targeted: b?.get(id) ?? 'NULL',
      target: c?.get(id) ?? 'NULL',
    };
  });
  return { train: capNeutralTraining(toExamples(train), SOURCE), test: toExamples(test) };
}
