import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assembleTraining, dedupeByText } from '../../training/datasets/assemble.js';
import { load } from '../../training/datasets/project-corpus.js';
import type { Example } from '../../training/datasets/types.js';

const folders: string[] = [];
function corpus(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'call-guard-corpus-'));
  folders.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
const jsonl = (...rows: object[]) => rows.map((row) => JSON.stringify(row) + '\n').join('');

afterEach(() => {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true });
});

describe('project corpus loader', () => {
  it('reads snippets with their context and act, and derives acts of older agent lines from their case', () => {
    const dir = corpus({
      'agent-01.jsonl': jsonl({
        context: [{ speaker: 'customer', text: 'you useless cow' }],
        speaker: 'agent',
        text: "if this carries on i'll pass you to my manager",
        label: 'neutral',
        act: 'warn',
        pair: 'p1',
        split: 'train',
      }),
      'agent-round2.jsonl': jsonl(
        {
          text: "i'm ending the call now goodbye",
          label: 'neutral',
          split: 'train',
          case: 'agent-release',
          speaker: 'agent',
        },
        {
          text: 'can i take your postcode',
          label: 'neutral',
          split: 'heldout',
          case: 'agent-verify',
          speaker: 'agent',
        },
      ),
    });
    const { train, test } = load(dir, 'project-context');
    expect(train).toEqual([
      {
        text: "if this carries on i'll pass you to my manager",
        label: 'neutral',
        source: 'project-context',
        speaker: 'agent',
        context: [{ speaker: 'customer', text: 'you useless cow' }],
        act: 'warn',
        pair: 'p1',
      },
      {
        text: "i'm ending the call now goodbye",
        label: 'neutral',
        source: 'project-context',
        speaker: 'agent',
        act: 'release',
      },
    ]);
    // Security checks and plain questions share that case: no act is guessed.
    expect(test).toEqual([
      { text: 'can i take your postcode', label: 'neutral', source: 'project-context', speaker: 'agent' },
    ]);
  });

  it('skips an unfinished last line of a file still being written, and names the line of a bad row', () => {
    const growing = corpus({
      'customer-01.jsonl': jsonl({ text: 'hello', label: 'neutral', split: 'train' }) + '{"text": "hal',
    });
    expect(load(growing).train.map((e) => e.text)).toEqual(['hello']);
    const bad = corpus({
      'agent-01.jsonl': jsonl({ text: 'hi', label: 'neutral', split: 'train', speaker: 'agent', act: 'greet' }),
    });
    expect(() => load(bad)).toThrow(/agent-01\.jsonl:1: bad act/);
  });

  it('keeps a soft target whose largest share is the label, and refuses one that is not a distribution', () => {
    const veiled = { text: "you'll regret this", label: 'threat', split: 'train' };
    const good = corpus({ 'customer-01.jsonl': jsonl({ ...veiled, target: { threat: 0.6, venting: 0.4 } }) });
    expect(load(good).train).toEqual([
      { text: "you'll regret this", label: 'threat', target: { threat: 0.6, venting: 0.4 }, source: 'project' },
    ]);
    const refusals: [object, RegExp][] = [
      [{ threat: 0.6, venting: 0.3 }, /customer-01\.jsonl:1: target shares must sum to 1/],
      [{ threat: 0.4, venting: 0.6 }, /label must hold the largest target share/],
      [{ threat: 0.6, menace: 0.4 }, /bad target/],
    ];
    for (const [target, message] of refusals)
      expect(() => load(corpus({ 'customer-01.jsonl': jsonl({ ...veiled, target }) }))).toThrow(message);
  });

  it('reads a folder that does not exist yet as empty', () => {
    expect(load(join(tmpdir(), 'call-guard-no-such-folder'))).toEqual({ train: [], test: [] });
  });
});

describe('assembling snippets', () => {
  const snippet = (text: string, pair: string, context: string): Example => ({
    text,
    label: 'neutral',
    source: 'project-context',
    context: [{ speaker: 'customer', text: context }],
    pair,
  });

  it('keeps the same words said after different turns as different examples', () => {
    const a = snippet('see you there then', 'p1', 'my court date is tuesday');
    const b = snippet('see you there then', 'p1', 'i know which branch you work at');
    expect(dedupeByText([a, b, a])).toEqual([a, b]);
  });

  it('puts a snippet and its contrast on the same side of the dev split', () => {
    const rows = Array.from({ length: 400 }, (_, i) => snippet(`line ${i}`, `pair ${Math.floor(i / 2)}`, `turn ${i}`));
    const { train, dev } = assembleTraining([rows], []);
    const devPairs = new Set(dev.map((e) => e.pair));
    expect(dev.length).toBeGreaterThan(0);
    expect(train.some((e) => devPairs.has(e.pair))).toBe(false);
  });
});
