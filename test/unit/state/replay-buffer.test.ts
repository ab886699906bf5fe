import { describe, expect, it } from 'vitest';
import { ReplayBuffer } from '../../../src/state/replay-buffer.js';

describe('ReplayBuffer', () => {
  it('keeps the newest items and says when older ones are gone', () => {
    const b = new ReplayBuffer<{ seq: number }>(3);
    for (let seq = 1; seq <= 5; seq++) b.push({ seq });
    expect(b.since(3)).toEqual({ items: [{ seq: 4 }, { seq: 5 }], missing: undefined });
    expect(b.since(2).missing).toBeUndefined();
    expect(b.since(0)).toEqual({ items: [{ seq: 3 }, { seq: 4 }, { seq: 5 }], missing: { afterSeq: 0, beforeSeq: 3 } });
    expect(b.since(5).items).toEqual([]);
  });
});
