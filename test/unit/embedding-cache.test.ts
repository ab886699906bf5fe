import { describe, expect, it } from 'vitest';
import { EmbeddingCache } from '../../src/classifier/embedding-cache.js';
import { calibratedProbabilities } from '../../src/classifier/calibration.js';

describe('EmbeddingCache', () => {
  const vector = (value: number) => Float32Array.of(value);

  it('tells speakers apart and evicts the least recently used entry', () => {
    const cache = new EmbeddingCache(2);
    cache.set(EmbeddingCache.key('customer', 'hello'), vector(1));
    cache.set(EmbeddingCache.key('agent', 'hello'), vector(2));
    expect(cache.get(EmbeddingCache.key('customer', 'hello'))).toEqual(vector(1));
    cache.set(EmbeddingCache.key('customer', 'bye'), vector(3));
    expect(cache.size).toBe(2);
    expect(cache.get(EmbeddingCache.key('agent', 'hello'))).toBeUndefined();
    expect(cache.get(EmbeddingCache.key('customer', 'hello'))).toEqual(vector(1));
  });
});

describe('calibratedProbabilities', () => {
  it('keeps the ranking and flattens the distribution as the temperature rises', () => {
    const logits = Float32Array.of(2, 0, -1, 1);
    const sharp = calibratedProbabilities(logits, 1);
    const flat = calibratedProbabilities(logits, 2);
    expect(sharp.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(flat.indexOf(Math.max(...flat))).toBe(0);
    expect(flat[0]!).toBeLessThan(sharp[0]!);
    expect(flat[2]!).toBeGreaterThan(sharp[2]!);
  });
});
