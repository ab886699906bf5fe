import type { Classifier, Priority } from '../../src/classifier/classifier.js';
import { AGENT_ACTS } from '../../src/protocol/labels.js';
import type { AgentAct, ContextTurn, Label, Verdict } from '../../src/protocol/verdict.js';
import { DEFAULT_POLICY } from '../../src/ladder/policy.js';
import type { SpeakerRole } from '../../src/protocol/transcript-chunk.js';

/**
 * A deterministic stand-in for the model, for tests: the first table with a phrase in the text
 * decides the label. Test utterances are kept clear-cut so that the real model agrees.
 */
const TABLE: [Label, string[]][] = [
  ['threat', ['know where you live', 'coming for you', 'kill you', 'hurt you', 'bomb']],
  ['abusive', ['idiot', 'moron', 'useless', 'shut up you', 'pathetic excuse']],
  ['venting', ['stupid', 'damn', 'ridiculous', 'dead all week', 'fed up', 'sick of', 'joke of a company', 'shouting']],
];

/** Ambiguous menace: a threat score inside the default policy's ask-meaning band. */
const MENACE = ['you will see', 'watch yourself'];
const { menaceMinScore, threatMinScore } = DEFAULT_POLICY.thresholds;

export function keywordVerdict(text: string): Verdict {
  const lower = text.toLowerCase();
  if (MENACE.some((p) => lower.includes(p))) {
    const threat = (menaceMinScore + threatMinScore) / 2;
    return { label: 'venting', scores: { neutral: 0, venting: 1 - threat, abusive: 0, threat }, spans: [] };
  }
  let label: Label = 'neutral';
  let spans: Verdict['spans'] = [];
  for (const [candidate, phrases] of TABLE) {
    const hit = phrases.find((p) => lower.includes(p));
    if (hit) {
      label = candidate;
      const start = lower.indexOf(hit);
      spans = [
        { start, end: start + hit.length, text: text.slice(start, start + hit.length), kind: 'model', weight: 1 },
      ];
      break;
    }
  }
  return confidentVerdict(label, spans);
}

/** Agent acts by phrase, for agent lines: the latest act in the table whose phrase is in the text wins. */
const ACT_TABLE: [AgentAct, string[]][] = [
  ['acknowledge', ['sorry to hear', 'i can hear how', 'i understand how']],
  [
    'set-limit',
    [
      'i can only help if',
      'i can only help you if',
      'keep this respectful',
      'keep the conversation respectful',
      "don't speak to me like that",
    ],
  ],
  ['warn', ['if this continues', 'if the language continues', 'if this carries on']],
  [
    'transfer',
    ['transferring you to my supervisor', 'putting you through to my supervisor', 'transfer you to my supervisor now'],
  ],
  ['release', ['ending this call now', 'end this call now']],
];

function keywordAct(text: string): AgentAct {
  const lower = text.toLowerCase();
  let act: AgentAct = 'other';
  for (const [candidate, phrases] of ACT_TABLE) if (phrases.some((p) => lower.includes(p))) act = candidate;
  return act;
}

const sureOf = (act: AgentAct): Record<AgentAct, number> =>
  Object.fromEntries(AGENT_ACTS.map((a) => [a, a === act ? 0.9 : 0.1 / (AGENT_ACTS.length - 1)])) as Record<
    AgentAct,
    number
  >;

/** A verdict that is sure of `label`. */
export function confidentVerdict(label: Label, spans: Verdict['spans'] = []): Verdict {
  const scores = { neutral: 0.01, venting: 0.01, abusive: 0.01, threat: 0.01 };
  scores[label] = 0.97;
  return { label, scores, spans };
}

/** Answers through `verdictOf` (the keyword table unless given) and records what it was asked. */
export class KeywordClassifier implements Classifier {
  readonly calls: { text: string; priority: Priority; speaker: SpeakerRole; context: readonly ContextTurn[] }[] = [];
  queueDepth = 0;

  constructor(private readonly verdictOf: (text: string, priority: Priority) => Verdict = keywordVerdict) {}

  async classify(
    text: string,
    priority: Priority = 'final',
    speaker: SpeakerRole = 'customer',
    context: readonly ContextTurn[] = [],
  ): Promise<Verdict> {
    this.calls.push({ text, priority, speaker, context });
    // Resolve on a later turn of the event loop, like a real batcher would.
    await new Promise((resolve) => setImmediate(resolve));
    const verdict = this.verdictOf(text, priority);
    if (speaker !== 'agent') return verdict;
    const act = keywordAct(text);
    return { ...verdict, act, actScores: sureOf(act) };
  }

  async close(): Promise<void> {}
}
