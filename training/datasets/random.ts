/**
 * FNV-1a with MurmurHash3's finaliser (FNV alone leaves the high bits of similar short keys
 * alike): a stable hash so every seeded choice depends only on its key.
 */
export function hashString(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** A number in [0, 1) fixed by the key. */
export function unitHash(key: string): number {
  return hashString(key) / 2 ** 32;
}

/** A seeded generator of numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function shuffled<T>(items: readonly T[], seed: string): T[] {
  const random = mulberry32(hashString(seed));
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

export function sampleUpTo<T>(items: readonly T[], count: number, seed: string): T[] {
  return items.length <= count ? [...items] : shuffled(items, seed).slice(0, count);
}

export function pick<T>(items: readonly T[], key: string): T {
  const item = items[hashString(key) % items.length];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}
