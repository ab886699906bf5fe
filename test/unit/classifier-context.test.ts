import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClassifier, type BatchingClassifier } from '../../src/classifier/index.js';
import { AGENT_ACTS, LABELS } from '../../src/protocol/labels.js';
import type { ContextTurn, Scores } from '../../src/protocol/verdict.js';

const MODEL_DIR = process.env.MODEL_DIR ?? 'models/use-lite-abuse';
const CONTEXT: ContextTurn[] = [
  { speaker: 'customer', text: 'i have been waiting three weeks for this refund' },
  { speaker: 'agent', text: 'i am sorry about that let me check the account' },
  { speaker: 'customer', text: 'you lot are useless honestly' },
];
const options = { modelDir: MODEL_DIR, batchMaxSize: 8, batchMaxWaitMs: 1, queueMax: 64 };

/** int8 activations are quantised per batch, so batch neighbours move scores (MODEL_CARD.md, "Speed"). */
function expectSameScores(actual: Scores, expected: Scores): void {
  for (const label of LABELS) expect(actual[label]).toBeCloseTo(expected[label], 1);
}

describe('classifier with context', () => {
  let classifier: BatchingClassifier;

  beforeAll(async () => {
    classifier = await loadClassifier(options);
  });

  afterAll(async () => {
    await classifier.close();
  });

  it('reads a final the same whether its context comes from the cache or is embedded with the batch', async () => {
    const fresh = await loadClassifier({ ...options, embeddingCacheSize: 1 });
    try {
      const embeddedNow = await fresh.classify('i know where your office is', 'final', 'customer', CONTEXT);
      for (const turn of CONTEXT) await classifier.classify(turn.text, 'final', turn.speaker);
      const fromCache = await classifier.classify('i know where your office is', 'final', 'customer', CONTEXT);
      expect(fromCache.label).toBe(embeddedNow.label);
      expectSameScores(fromCache.scores, embeddedNow.scores);
    } finally {
      await fresh.close();
    }
  });

  it('lets the earlier turns move the scores, and reads only the last four', async () => {
    const alone = await classifier.classify('see you soon then', 'final', 'customer');
    const inContext = await classifier.classify('see you soon then', 'final', 'customer', CONTEXT);
    expect(inContext.scores).not.toEqual(alone.scores);
    const older = [
      { speaker: 'agent' as const, text: 'thanks for calling' },
      ...CONTEXT,
      { speaker: 'agent' as const, text: 'one moment please' },
    ];
    // Every turn cached and each final alone in its batch, so both reads run the very same numbers.
    for (const turn of older) await classifier.classify(turn.text, 'final', turn.speaker);
    const lastFour = await classifier.classify('see you soon then', 'final', 'customer', older.slice(-4));
    expect(await classifier.classify('see you soon then', 'final', 'customer', older)).toEqual(lastFour);
  });

  it('gives a customer line read in context the threat score of the line read alone, and nothing else one', async () => {
    const inContext = await classifier.classify('i know where your office is', 'final', 'customer', CONTEXT);
    const alone = await classifier.classify('i know where your office is', 'final', 'customer');
    expect(inContext.threatAlone).toBeCloseTo(alone.scores.threat, 1);
    expect(alone.threatAlone).toBeUndefined();
    const agent = await classifier.classify('i know where your office is', 'final', 'agent', CONTEXT);
    expect(agent.threatAlone).toBeUndefined();
    // A partial's verdict stands for a final with its words and context, so it is read alone too.
    const partial = await classifier.classify('i know where your office is', 'partial', 'customer', CONTEXT);
    expect(partial.threatAlone).toBeCloseTo(alone.scores.threat, 1);
  });

  it('gives agent lines an act with every act scored, and customer lines none', async () => {
    const [agent, customer] = await Promise.all([
      classifier.classify("i'm transferring you to my supervisor now please hold", 'final', 'agent', CONTEXT),
      classifier.classify("i'm transferring you to my supervisor now please hold", 'final', 'customer'),
    ]);
    expect(Object.keys(agent.actScores!)).toEqual([...AGENT_ACTS]);
    expect(agent.act).toBe(
      AGENT_ACTS.reduce((best, act) => (agent.actScores![act] > agent.actScores![best] ? act : best)),
    );
    expect(customer.act).toBeUndefined();
    expect(customer.actScores).toBeUndefined();
  });

  it('keeps evidence on the words of the line itself', async () => {
    const text = 'you are a useless idiot';
    const verdict = await classifier.classify(text, 'final', 'customer', CONTEXT);
    expect(verdict.spans.length).toBeGreaterThan(0);
    for (const span of verdict.spans) expect(text.slice(span.start, span.end)).toBe(span.text);
  });
});
