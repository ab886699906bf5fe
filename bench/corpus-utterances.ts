import { join } from 'node:path';
import { load } from '../training/datasets/project-corpus.js';

export const CORPUS_DIR = join('training', 'corpus');

/** Every utterance of the project corpus (both splits): the varied, project-written texts the benches send. */
export function corpusUtterances(corpusDir = CORPUS_DIR): string[] {
  const { train, test } = load(corpusDir);
  return [...train, ...test].map((example) => example.text);
}
