/** The newest `capacity` items of a stream numbered 1, 2, 3, ...; older ones fall out. */
export class ReplayBuffer<T extends { seq: number }> {
  private readonly items: T[] = [];

  constructor(private readonly capacity: number) {}

  push(item: T): void {
    this.items.push(item);
    if (this.items.length > this.capacity) this.items.shift();
  }

  /** Everything after `seq` still held, and whether some of what came after `seq` has already fallen out. */
  since(seq: number): { items: T[]; missing: { afterSeq: number; beforeSeq: number } | undefined } {
    const first = this.items[0];
    const items = this.items.filter((item) => item.seq > seq);
    const missing = first && first.seq > seq + 1 ? { afterSeq: seq, beforeSeq: first.seq } : undefined;
    return { items, missing };
  }

  /** The item numbered `seq`, if it is still held. */
  get(seq: number): T | undefined {
    return this.items.find((item) => item.seq === seq);
  }
}
