import { readFileSync } from 'node:fs';
import type { Example } from './datasets/types.js';

/** The rows of one JSON Lines file training/prepare.ts wrote (`train.jsonl`, `dev.jsonl`). */
export function readSplit(path: string): Example[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Example);
}
