import { join } from 'node:path';
import type { Label } from '../../src/protocol/verdict.js';
import { readCsv, withHeader } from './delimited.js';
import { hasInsult, hasSwearing, insultsListener, addressesListener } from './lexicon.js';
import type { Example, SourceSplits } from './types.js';

const SOURCE = 'convabuse';
const ANNOTATORS = 8;
const SEVERITIES = [1, 0, -1, -2, -3] as const;

export interface ConvAbuseJudgement {
  /** Each annotator's severity: 1 not abuse, 0 ambiguous, -1 … -3 mildly … strongly abusive. */
  severities: number[];
  sexualHarassment: boolean;
}

function judgement(row: Record<string, string>): ConvAbuseJudgement {
  const severities: number[] = [];
  let sexualHarassment = false;
  for (let a = 1; a <= ANNOTATORS; a++) {
    const severity = SEVERITIES.find((s) => row[`Annotator${a}_is_abuse.${s}`] === '1');
    if (severity !== undefined) severities.push(severity);
    if (row[`Annotator${a}_sex_harassment`] === '1') sexualHarassment = true;
  }
  return { severities, sexualHarassment };
}

/**
 * Users talking to a chatbot, so abuse here is abuse of the agent. Mean severity ≥ 0 →
 * neutral. Mean < 0 → abusive when the text insults or dismisses someone ("bitch", "fuck off"),
 * speaks to the bot in the second person, or annotators saw sexual harassment; bare swearing
 * with none of that ("fuck", "what a load of bullshit") → venting; anything else ("yes" with
 * one dissenting annotator) is annotator noise and dropped.
 */
export function mapConvAbuse(text: string, { severities, sexualHarassment }: ConvAbuseJudgement): Label | undefined {
  if (severities.length === 0) return undefined;
  const mean = severities.reduce((sum, s) => sum + s, 0) / severities.length;
  if (mean >= 0) return 'neutral';
  if (sexualHarassment || hasInsult(text) || insultsListener(text) || addressesListener(text)) return 'abusive';
  return hasSwearing(text) ? 'venting' : undefined;
}

function loadFile(path: string): Example[] {
  return withHeader(readCsv(path)).flatMap((row) => {
    const text = row.user ?? '';
    const label = mapConvAbuse(text, judgement(row));
    return label ? [{ text, label, source: SOURCE }] : [];
  });
}

/** The validation split joins training; the test split is kept for measuring. */
export function load(dataDir: string): SourceSplits {
  const dir = join(dataDir, 'convabuse');
  return {
    train: [...loadFile(join(dir, 'ConvAbuseEMNLPtrain.csv')), ...loadFile(join(dir, 'ConvAbuseEMNLPvalid.csv'))],
    test: loadFile(join(dir, 'ConvAbuseEMNLPtest.csv')),
  };
}
