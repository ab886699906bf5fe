import { describe, expect, it } from 'vitest';
import { assembleTraining, PROJECT_UPSAMPLE } from '../../training/datasets/assemble.js';
import { GROUP_SWAP_SOURCE, groupSwaps, SWAPS_PER_LINE, swapGroup } from '../../training/datasets/group-swap.js';
import { findGroupTerms, GROUP_TERMS, namedGroup } from '../../training/datasets/identity-terms.js';
import type { Example } from '../../training/datasets/types.js';

describe('identity terms', () => {
  it('finds a group word with its forms, and not inside other words or masked words', () => {
    expect(
      findGroupTerms('you muslims and that muslim woman', 'muslim').map(({ word, forms }) => [word, forms]),
    ).toEqual([
      ['muslims', ['plural']],
      ['muslim', ['noun', 'adjective']],
    ]);
    expect(findGroupTerms('the jewish deli and the jewellers', 'jewish').map(({ word }) => word)).toEqual(['jewish']);
    expect(findGroupTerms('a transfer to the trans team', 'trans').map(({ word }) => word)).toEqual(['trans']);
    expect(findGroupTerms('my deaf people group', 'deaf').map(({ word }) => word)).toEqual(['deaf people']);
  });

  it('names the first group a text uses', () => {
    expect(namedGroup('the refugees at the hotel')).toBe('immigrant');
    expect(namedGroup('my router is broken')).toBeUndefined();
  });
});

describe('swapGroup', () => {
  it('keeps the form: plural for plural, adjective before a person word or after a copula, noun otherwise', () => {
    expect(swapGroup('you muslims are all the same', 'muslim', 'deaf')).toBe('you deaf people are all the same');
    expect(swapGroup('my muslim neighbours brought food', 'muslim', 'deaf')).toBe('my deaf neighbours brought food');
    expect(swapGroup("i'm muslim so no pork please", 'muslim', 'women')).toBe("i'm female so no pork please");
    expect(swapGroup("i'm not talking to a muslim on the phone", 'muslim', 'trans')).toBe(
      "i'm not talking to a trans person on the phone",
    );
    expect(swapGroup('you chinese are hopeless', 'chinese', 'lgbtq')).toBe('you gay people are hopeless');
  });

  it('fixes the article and replaces every word of the group', () => {
    expect(swapGroup('a deaf woman and a deaf man', 'deaf', 'asian')).toBe('an asian woman and an asian man');
    expect(swapGroup('an immigrant like you', 'immigrant', 'jewish')).toBe('a jewish person like you');
  });

  it('leaves idioms and lines without the group alone', () => {
    expect(swapGroup("we're having a proper indian summer", 'indian', 'deaf')).toBeUndefined();
    expect(swapGroup('the router is broken', 'muslim', 'deaf')).toBeUndefined();
  });
});

describe('groupSwaps', () => {
  const line = (text: string, label: Example['label'], group?: string): Example => ({
    text,
    label,
    source: 'project',
    ...(group ? { group } : {}),
  });

  it('copies neutral and abusive group lines to other groups, keeping the label and naming the original', () => {
    const swaps = groupSwaps([
      line('my husband is deaf so please text him', 'neutral', 'deaf'),
      line('you deaf people are useless', 'abusive', 'deaf'),
    ]);
    expect(swaps).toHaveLength(2 * SWAPS_PER_LINE);
    for (const swap of swaps) {
      expect(swap.group).not.toBe('deaf');
      expect(swap.source).toBe(GROUP_SWAP_SOURCE);
      expect(swap.swappedFrom).toBe(
        swap.label === 'abusive' ? 'you deaf people are useless' : 'my husband is deaf so please text him',
      );
      expect(swap.text).not.toMatch(/\bdeaf\b/);
      const { adjective, noun, plural } = GROUP_TERMS[swap.group!]!;
      expect([adjective, noun, plural].some((word) => swap.text.includes(word))).toBe(true);
    }
    expect(swaps.filter((s) => s.label === 'abusive')).toHaveLength(SWAPS_PER_LINE);
    expect(new Set(swaps.map((s) => s.text)).size).toBe(swaps.length);
  });

  it('takes the group of an untagged line from its words', () => {
    const swaps = groupSwaps([
      line('you muslims are all the same', 'abusive'),
      line('the router is broken', 'venting'),
    ]);
    expect(swaps).toHaveLength(SWAPS_PER_LINE);
    for (const swap of swaps) {
      expect(swap.swappedFrom).toBe('you muslims are all the same');
      expect(swap.group).not.toBe('muslim');
      expect(swap.text).toContain(GROUP_TERMS[swap.group!]!.plural);
    }
  });

  it('leaves threats and snippets alone, and is reproducible', () => {
    const snippet = {
      ...line('i have a muslim friend', 'neutral', 'muslim'),
      context: [{ speaker: 'agent' as const, text: 'hello' }],
    };
    expect(groupSwaps([line('i will bomb the muslims', 'threat', 'muslim'), snippet])).toEqual([]);
    const rows = [line('the muslim engineer was great', 'neutral', 'muslim')];
    expect(groupSwaps(rows)).toEqual(groupSwaps(rows));
  });

  it('adds swaps of the training side to the assembled set, once each', () => {
    const rows = Array.from({ length: 200 }, (_, i) =>
      line(`order ${i} is for my muslim neighbour`, 'neutral', 'muslim'),
    );
    const { train, dev } = assembleTraining([rows], []);
    const swapped = train.filter((e) => e.source === GROUP_SWAP_SOURCE);
    const originals = train.filter((e) => e.source === 'project');
    expect(originals).toHaveLength((rows.length - dev.length) * PROJECT_UPSAMPLE);
    expect(swapped).toHaveLength((rows.length - dev.length) * SWAPS_PER_LINE);
    const devOrders = new Set(dev.map((e) => e.text.split(' ')[1]));
    expect(swapped.some((e) => devOrders.has(e.text.split(' ')[1]))).toBe(false);
  });
});
