import type { Classifier, Label, Priority, Verdict } from '../../src/classifier/verdict.js';
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

export function keywordVerdict(text: string): Verdict {
  const lower = text.toLowerCase();
  let label: Label = 'neutral';
  let spans: Verdict['spans'] = [];
  for (const [candidate, phrases] of TABLE) {
    const hit = phrases.find((p) => lower.includes(p));
    if (hit) {
      label = candidate;
      const start = lower.indexOf(hit);
      spans = [{ start, end: start + hit.length, text: text.slice(start, start + hit.length), kind: 'model', weight: 1 }];
      break;
    }
  }
  return confidentVerdict(label, spans);
}

/** A verdict that is sure of `label`. */
export function confidentVerdict(label: Label, spans: Verdict['spans'] = []): Verdict {
  const scores = { neutral: 0.04, venting: 0.04, abusive: 0.04, threat: 0.04 };
  scores[label] = 0.88;
  return { label, scores, spans };
}

/** Answers through `verdictOf` (the keyword table unless given) and records what it was asked. */
export class KeywordClassifier implements Classifier {
  readonly calls: { text: string; priority: Priority; speaker: SpeakerRole }[] = [];
  queueDepth = 0;

  constructor(private readonly verdictOf: (text: string, priority: Priority) => Verdict = keywordVerdict) {}

  async classify(text: string, priority: Priority = 'final', speaker: SpeakerRole = 'customer'): Promise<Verdict> {
    this.calls.push({ text, priority, speaker });
    // Resolve on a later turn of the event loop, like a real batcher would.
    await new Promise((resolve) => setImmediate(resolve));
    return this.verdictOf(text, priority);
  }

  async close(): Promise<void> {}
}
