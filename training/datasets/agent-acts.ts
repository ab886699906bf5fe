import type { AgentAct } from '../../src/protocol/verdict.js';
import type { Example } from './types.js';

/**
 * Acts for the round-2 agent lines (`training/corpus/agent-round2.jsonl`), which were written
 * before acts existed, read off their `case` tag. Each case was checked line by line against the
 * act definitions in CONTRACT.md. `agent-verify` mixes security checks (policy) with plain
 * questions (other), so it stays unlabelled and trains the four labels only.
 */
const ACT_BY_CASE: Readonly<Record<string, AgentAct>> = {
  'agent-greeting': 'other',
  'agent-instruction': 'other',
  'agent-solution': 'other',
  'agent-hold-and-wrapup': 'other',
  'agent-heated': 'other',
  'agent-empathy': 'acknowledge',
  'agent-limit': 'set-limit',
  'agent-warning': 'warn',
  'agent-transfer': 'transfer',
  'agent-release': 'release',
};

export function withCaseAct(example: Example, caseTag: string | undefined): Example {
  if (example.speaker !== 'agent' || example.act !== undefined || caseTag === undefined) return example;
  const act = ACT_BY_CASE[caseTag];
  return act ? { ...example, act } : example;
}
