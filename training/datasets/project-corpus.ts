import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AGENT_ACTS, LABELS } from '../../src/protocol/labels.js';
import type { AgentAct, Label } from '../../src/protocol/verdict.js';
import type { SpeakerRole } from '../../src/protocol/transcript-chunk.js';
import { withCaseAct } from './agent-acts.js';
import type { Example, LabelShares, SourceSplits } from './types.js';

interface CorpusTurn {
  speaker?: string;
  text?: unknown;
}

interface CorpusLine {
  text: string;
  label: string;
  split: string;
  speaker?: string;
  act?: string;
  group?: string;
  pair?: string;
  case?: string;
  context?: CorpusTurn[];
  target?: Record<string, unknown>;
}

function isLabel(value: string): value is Label {
  return (LABELS as readonly string[]).includes(value);
}

function isAct(value: string): value is AgentAct {
  return (AGENT_ACTS as readonly string[]).includes(value);
}

function isSpeaker(value: string | undefined): value is SpeakerRole {
  return value === 'customer' || value === 'agent';
}

/** A soft target names known labels only, its shares sum to 1, and the row's label holds the largest share. */
function toShares(target: Record<string, unknown>, label: Label): LabelShares | string {
  const entries = Object.entries(target);
  if (entries.some(([name, share]) => !isLabel(name) || typeof share !== 'number' || share < 0 || share > 1))
    return 'bad target';
  const shares = Object.fromEntries(entries) as Record<Label, number>;
  const total = Object.values(shares).reduce((sum, share) => sum + share, 0);
  if (Math.abs(total - 1) > 1e-6) return 'target shares must sum to 1';
  if (Object.values(shares).some((share) => share > (shares[label] ?? 0)))
    return 'label must hold the largest target share';
  return shares;
}

/** Checks one corpus object (single line or multi-turn snippet) and returns it as an example, or why not. */
function toExample(row: CorpusLine, source: string): Example | string {
  if (!isLabel(row.label)) return 'bad label';
  if (row.split !== 'train' && row.split !== 'heldout') return 'bad split';
  if (row.speaker !== undefined && !isSpeaker(row.speaker)) return 'bad speaker';
  if (row.act !== undefined && !isAct(row.act)) return 'bad act';
  const context = row.context ?? [];
  if (!Array.isArray(context) || context.some((turn) => !isSpeaker(turn.speaker) || typeof turn.text !== 'string'))
    return 'bad context';
  const target = row.target === undefined ? undefined : toShares(row.target, row.label);
  if (typeof target === 'string') return target;
  return withCaseAct(
    {
      text: row.text,
      label: row.label,
      ...(target ? { target } : {}),
      source,
      ...(row.speaker === 'agent' ? { speaker: 'agent' as const } : {}),
      ...(context.length > 0
        ? { context: context.map((turn) => ({ speaker: turn.speaker as SpeakerRole, text: turn.text as string })) }
        : {}),
      ...(row.act !== undefined && row.speaker === 'agent' ? { act: row.act as AgentAct } : {}),
      ...(row.group ? { group: row.group } : {}),
      ...(row.pair ? { pair: row.pair } : {}),
    },
    row.case,
  );
}

function isCompleteJson(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

/**
 * The project's hand-written data, every `*.jsonl` in the folder that `include` accepts: single
 * lines (`training/corpus/`) or multi-turn snippets (`training/corpus-context/`, CONTRACT format).
 * Split "train" trains, "heldout" only measures. A folder that does not exist yet holds nothing.
 */
export function load(
  corpusDir: string,
  source = 'project',
  include: (file: string) => boolean = () => true,
): SourceSplits {
  const splits: SourceSplits = { train: [], test: [] };
  let files: string[];
  try {
    files = readdirSync(corpusDir)
      .filter((file) => file.endsWith('.jsonl') && include(file))
      .sort();
  } catch {
    return splits;
  }
  for (const file of files) {
    const path = join(corpusDir, file);
    const lines = readFileSync(path, 'utf8').split(/\r?\n/);
    lines.forEach((line, index) => {
      if (line.trim() === '') return;
      // Corpus files may be growing while this reads: a last line without its newline is unfinished.
      if (index === lines.length - 1 && !isCompleteJson(line)) return;
      const row = JSON.parse(line) as CorpusLine;
      const example = toExample(row, source);
      if (typeof example === 'string') throw new Error(`${path}:${index + 1}: ${example}`);
      (row.split === 'train' ? splits.train : splits.test).push(example);
    });
  }
  return splits;
}
