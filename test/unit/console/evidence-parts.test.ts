import { describe, expect, it } from 'vitest';
import { splitEvidence } from '../../../src/console/page/evidence-parts.js';

const span = (start: number, end: number) => ({ start, end, text: '', kind: 'model' as const, weight: 1 });

describe('splitting an utterance into evidence and plain text', () => {
  it('marks each span, merging overlapping and touching ones', () => {
    expect(splitEvidence('you are a useless idiot', [span(18, 23), span(0, 3), span(10, 17), span(17, 18)])).toEqual([
      { text: 'you', evidence: true },
      { text: ' are a ', evidence: false },
      { text: 'useless idiot', evidence: true },
    ]);
  });

  it('ignores spans outside the text and leaves text without spans whole', () => {
    expect(splitEvidence('calm', [span(10, 12), span(3, 3)])).toEqual([{ text: 'calm', evidence: false }]);
    expect(splitEvidence('calm', [])).toEqual([{ text: 'calm', evidence: false }]);
  });
});
