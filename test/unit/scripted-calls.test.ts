import { describe, expect, it } from 'vitest';
import type { EvalCall } from '../../training/call-eval-set.js';
import { callExamples } from '../../training/datasets/scripted-calls.js';

const call: EvalCall = {
  id: 'ambiguous-clarified-tz-01-boiler',
  category: 'ambiguous-clarified',
  description: 'a veiled remark, asked about, means a review',
  mustCues: ['ask-meaning'],
  mustNotCues: ['safety-alert'],
  safetyAlert: false,
  turns: [
    { speaker: 'agent', text: 'good morning warmhome this is ravi', label: 'neutral', act: 'other' },
    { speaker: 'customer', text: 'the boiler is broken again', label: 'venting' },
    { speaker: 'agent', text: 'i am sorry about that', label: 'neutral', act: 'acknowledge' },
    { speaker: 'customer', text: 'third time this winter', label: 'venting' },
    { speaker: 'agent', text: 'let me book the engineer', label: 'neutral', act: 'other' },
    { speaker: 'customer', text: 'you lot will be hearing from me', label: ['threat', 'venting'] },
    { speaker: 'agent', text: 'can i ask what you mean by that', label: 'neutral', act: 'other' },
    { speaker: 'customer', text: 'a one star review that is what', label: 'venting' },
  ],
};

describe('scripted training calls', () => {
  const examples = callExamples(call, 'project-calls');

  it('makes one example per turn, each read with at most the four turns before it', () => {
    expect(examples.map((example) => example.text)).toEqual(call.turns.map((turn) => turn.text));
    expect(examples[0]!.context).toBeUndefined();
    expect(examples[1]!.context).toEqual([{ speaker: 'agent', text: 'good morning warmhome this is ravi' }]);
    expect(examples[5]!.context!.map((turn) => turn.text)).toEqual(call.turns.slice(1, 5).map((turn) => turn.text));
  });

  it('trains a line written with two fair readings towards both, the usual one first', () => {
    expect(examples[5]!.label).toBe('threat');
    expect(examples[5]!.target!.threat).toBeCloseTo(0.55);
    expect(examples[5]!.target!.venting).toBeCloseTo(0.45);
    expect(examples[7]).toMatchObject({ label: 'venting' });
    expect(examples[7]!.target).toBeUndefined();
  });

  it("keeps agent lines' speaker and act, and ties every turn to its call for the dev split", () => {
    expect(examples[2]).toMatchObject({ speaker: 'agent', act: 'acknowledge' });
    expect(examples[1]!.speaker).toBeUndefined();
    expect(new Set(examples.map((example) => example.pair))).toEqual(new Set([call.id]));
  });
});
