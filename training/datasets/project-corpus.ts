import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LABELS, type Label } from '../../src/classifier/verdict.js';
import type { Example, SourceSplits } from './types.js';

interface CorpusLine {
  text: string;
  label: string;
  split: string;
  speaker?: string;
}

function isLabel(value: string): value is Label {
  return (LABELS as readonly string[]).includes(value);
}

/**
 * The project's hand-written utterances, every `*.jsonl` in the folder (one or more files per
 * label): split "train" trains, "heldout" only measures.
 */
export function load(corpusDir: string, source = 'project'): SourceSplits {
  const splits: SourceSplits = { train: [], test: [] };
  const files = readdirSync(corpusDir).filter((file) => file.endsWith('.jsonl')).sort();
  for (const file of files) {
    const path = join(corpusDir, file);
    readFileSync(path, 'utf8')
      .split(/\r?\n/)
      .forEach((line, index) => {
        if (line.trim() === '') return;
        const row = JSON.parse(line) as CorpusLine;
        if (!isLabel(row.label) || (row.split !== 'train' && row.split !== 'heldout') || (row.speaker !== undefined && row.speaker !== 'agent')) {
          throw new Error(`${path}:${index + 1}: bad label, split or speaker`);
        }
        const example: Example = { text: row.text, label: row.label, source, ...(row.speaker === 'agent' ? { speaker: 'agent' as const } : {}) };
        (row.split === 'train' ? splits.train : splits.test).push(example);
      });
  }
  return splits;
}
