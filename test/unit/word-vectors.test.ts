import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { splitWords, WordVectors } from '../../src/classifier/word-vectors.js';

describe('splitWords', () => {
  // Expected as training/word_features.py's split_words gives them (the two must read a line alike).
  it.each([
    [
      "you can't be serious, you're a f***ing idiot",
      ['you', 'ca', "n't", 'be', 'serious', ',', 'you', "'re", 'a', 'f', '*', '*', '*', 'ing', 'idiot'],
    ],
    [
      "i'll see you in court - it's the ombudsman's job",
      ['i', "'ll", 'see', 'you', 'in', 'court', '-', 'it', "'s", 'the', 'ombudsman', "'s", 'job'],
    ],
    ["won't we've they'd I'm", ['wo', "n't", 'we', "'ve", 'they', "'d", 'i', "'m"]],
  ])('splits %j as GloVe was tokenised', (text, words) => {
    expect(splitWords(text)).toEqual(words);
  });
});

describe('WordVectors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'word-vectors-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const vocabulary: [string, number][] = [
    ...['<unk>', '<s>', '</s>', 'extra_token_id_1', 'extra_token_id_2', 'extra_token_id_3'].map(
      (piece): [string, number] => [piece, 0],
    ),
    ['\u2581see', -1],
    ['\u2581you', -1],
    ['\u2581in', -1],
    ['\u2581court', -1],
  ];
  writeFileSync(join(dir, 'vocab.json'), JSON.stringify(vocabulary));
  // Two words, two dims: "see" (int8 [127, -127], scale 0.5) and "court" ([64, 0], scale 2).
  writeFileSync(join(dir, 'word-vectors.json'), JSON.stringify({ dims: 2, words: ['see', 'court'] }));
  const bin = Buffer.alloc(2 * 2 + 2 * 4);
  new Int8Array(bin.buffer, bin.byteOffset, 4).set([127, -127, 64, 0]);
  bin.writeFloatLE(0.5, 4);
  bin.writeFloatLE(2, 8);
  writeFileSync(join(dir, 'word-vectors.bin'), bin);

  it('appends the mean vector of the words found, read back from the token ids (the speaker marker skipped)', () => {
    const words = WordVectors.load(dir)!;
    const ids = [3, 6, 7, 8, 9]; // the speaker marker, then "see you in court"
    const extended = words.extend(ids, new Float32Array([9, 8, 7]));
    expect([...extended]).toEqual([9, 8, 7, (63.5 + 128) / 2, -63.5 / 2]);
  });

  it('appends zeros for a line with no word it knows', () => {
    const words = WordVectors.load(dir)!;
    expect([...words.extend([7, 8], new Float32Array([1]))]).toEqual([1, 0, 0]);
  });

  it('is absent from a model folder without word vectors', () => {
    const bare = mkdtempSync(join(tmpdir(), 'no-word-vectors-'));
    expect(WordVectors.load(bare)).toBeUndefined();
    rmSync(bare, { recursive: true });
  });
});
