import { describe, expect, it } from 'vitest';
import { assembleTraining, PROJECT_UPSAMPLE } from '../../training/datasets/assemble.js';
import { spokenVariant } from '../../training/datasets/spoken-variant.js';
import type { Example } from '../../training/datasets/types.js';

describe('spokenVariant', () => {
  const lines = Array.from({ length: 200 }, (_, i) => `line number ${i} of what the caller said`);

  it('keeps every word of the line, in order, and adds one to three words around it', () => {
    for (const line of lines) {
      const variant = spokenVariant(line);
      const words = variant.split(' ');
      expect(variant).not.toBe(line);
      expect(words.length - line.split(' ').length).toBeGreaterThanOrEqual(1);
      expect(words.length - line.split(' ').length).toBeLessThanOrEqual(3);
      expect(variant.replace(/^(\S+) \1 /, '$1 ')).toContain(line);
    }
  });

  it('is fixed by the text, and varies the kind of addition across texts', () => {
    expect(lines.map((line) => spokenVariant(line))).toEqual(lines.map((line) => spokenVariant(line)));
    const kinds = new Set(
      lines.map((line) => {
        const variant = spokenVariant(line);
        if (variant.startsWith('line line')) return 'repeat';
        return variant.startsWith(line) ? 'after' : 'before';
      }),
    );
    expect(kinds).toEqual(new Set(['repeat', 'after', 'before']));
  });
});

describe('project rows in the assembled training set', () => {
  it('repeat each project row, one repeat as its spoken variant with the label and context kept', () => {
    const context = [{ speaker: 'agent' as const, text: 'the refund takes five days' }];
    const rows: Example[] = Array.from({ length: 100 }, (_, i) => ({
      text: `you will regret this number ${i}`,
      label: 'threat',
      source: 'project-context',
      context,
    }));
    const { train, dev } = assembleTraining([rows], []);
    expect(train).toHaveLength((rows.length - dev.length) * PROJECT_UPSAMPLE);
    const variants = train.filter((row) => !rows.some(({ text }) => text === row.text));
    expect(variants).toHaveLength(rows.length - dev.length);
    for (const variant of variants) {
      expect(variant.label).toBe('threat');
      expect(variant.context).toEqual(context);
      expect(rows.map(({ text }) => spokenVariant(text))).toContain(variant.text);
    }
  });
});
