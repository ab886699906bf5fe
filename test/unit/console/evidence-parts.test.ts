import { describe, expect, it } from 'vitest';
import { splitEvidence } from '../../../src/console/page/evidence-parts.js';

type Kind = 'model' | 'masked-profanity' | 'second-person';
const span = (start: number, end: number, kind: Kind = 'model') => ({ start, end, text: '', kind, weight: 1 });

describe('splitting an utterance into evidence and plain text', () => {
  it('marks each span, merging overlapping and touching ones', () => {
    expect(splitEvidence('what a useless idiot', [span(15, 20), span(7, 14), span(14, 15)])).toEqual([
      { text: 'what a ', kind: 'plain' },
      { text: 'useless idiot', kind: 'evidence' },
    ]);
  });

  it('marks who a remark was aimed at apart from the words that drove it, unless they overlap', () => {
    expect(
      splitEvidence('you are a f*** joke', [
        span(0, 3, 'second-person'),
        span(10, 14, 'masked-profanity'),
        span(10, 19, 'model'),
      ]),
    ).toEqual([
      { text: 'you', kind: 'target' },
      { text: ' are a ', kind: 'plain' },
      { text: 'f*** joke', kind: 'evidence' },
    ]);
    expect(splitEvidence('youre useless', [span(0, 5, 'second-person'), span(0, 13, 'model')])).toEqual([
      { text: 'youre useless', kind: 'evidence' },
    ]);
  });

  it('ignores spans outside the text and leaves text without spans whole', () => {
    expect(splitEvidence('calm', [span(10, 12), span(3, 3)])).toEqual([{ text: 'calm', kind: 'plain' }]);
    expect(splitEvidence('calm', [])).toEqual([{ text: 'calm', kind: 'plain' }]);
  });
});
