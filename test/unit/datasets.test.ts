import { describe, expect, it } from 'vitest';
import { asrStyle, maskProfanity } from '../../training/datasets/asr-style.js';
import { assembleTraining, dedupeByText, PROJECT_UPSAMPLE } from '../../training/datasets/assemble.js';
import { mapComplaint } from '../../training/datasets/complaints.js';
import { mapConvAbuse } from '../../training/datasets/convabuse.js';
import { mapDavidson, trainsOnDavidson } from '../../training/datasets/davidson.js';
import { parseCsv, parseTsv, withHeader } from '../../training/datasets/delimited.js';
import { fillPlaceholders, mapGoEmotions } from '../../training/datasets/goemotions.js';
import { cleanKaggleComment, mapKaggleInsult } from '../../training/datasets/kaggle-insults.js';
import { addressesListener, insultsListener, looksLikeThreat } from '../../training/datasets/lexicon.js';
import { mapOlid } from '../../training/datasets/olid.js';
import { normalise } from '../../training/datasets/sources.js';
import { mapStormfront } from '../../training/datasets/stormfront.js';
import { mapToxigenFile, toxigenSentences } from '../../training/datasets/toxigen.js';
import type { Example } from '../../training/datasets/types.js';

describe('delimited readers', () => {
  it('parses RFC 4180 quoting, escaped quotes, embedded newlines and CRLF', () => {
    expect(parseCsv('a,b\r\n"x, y","say ""hi""\nthere"\n')).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"\nthere'],
    ]);
    expect(withHeader(parseCsv('text,category\nhello,greet'))).toEqual([{ text: 'hello', category: 'greet' }]);
  });

  it('splits TSV without treating quotes as quoting', () => {
    expect(parseTsv('1\t"odd"" quote\n\n2\tb\n')).toEqual([
      ['1', '"odd"" quote'],
      ['2', 'b'],
    ]);
  });
});

describe('asrStyle', () => {
  it('strips handles, links, hashtag signs, emojis and markup, and lower-cases', () => {
    expect(asrStyle('@USER @USER Go home you’re drunk!!! #MAGA 👊🇺🇸 URL')).toBe("go home you're drunk! maga");
    expect(asrStyle('RT @bob: see https://t.co/x &amp; <b>this</b> :)')).toBe('see & this');
  });

  it('keeps masked words as speech-to-text sends them', () => {
    expect(asrStyle('This F***ING router... is s***!!')).toBe('this f***ing router. is s***!');
  });
});

describe('maskProfanity', () => {
  const masked = (text: string) => maskProfanity(text, 'seed') !== text;

  it('keeps the first letter and the length of each swear word', () => {
    const text = Array.from({ length: 40 }, (_, i) => `this fucking router ${i} is shit`).find(masked)!;
    expect(maskProfanity(text, 'seed')).toMatch(/^this f\*{6} router \d+ is s\*{3}$/);
  });

  it('masks a reproducible share of texts and leaves clean words alone', () => {
    const texts = Array.from({ length: 400 }, (_, i) => `fuck ${i}`);
    const share = texts.filter(masked).length / texts.length;
    expect(share).toBeGreaterThan(0.4);
    expect(share).toBeLessThan(0.6);
    expect(texts.map((t) => maskProfanity(t, 'seed'))).toEqual(texts.map((t) => maskProfanity(t, 'seed')));
    expect(maskProfanity('please assess my class', 'seed')).toBe('please assess my class');
  });
});

describe('lexicon rules', () => {
  it('tells abuse of the listener from insults of someone else', () => {
    expect(insultsListener('you are such a lazy idiot')).toBe(true);
    expect(insultsListener('Fuck you.')).toBe(true);
    expect(insultsListener('this stupid router')).toBe(false);
    expect(insultsListener('your stupid app crashed again')).toBe(false);
    expect(addressesListener("you're a jerk")).toBe(true);
    expect(addressesListener('you know he is a crook')).toBe(false);
  });

  it('spots threats but not hyperbole about objects', () => {
    expect(looksLikeThreat('i will kill you')).toBe(true);
    expect(looksLikeThreat('I know where you work')).toBe(true);
    expect(looksLikeThreat('i could kill this printer')).toBe(false);
  });
});

describe('source mappings', () => {
  it('OLID: abuse only when aimed at the listener', () => {
    const row = (text: string, offensive: string, targeted = 'NULL', target = 'NULL') => ({
      text,
      offensive,
      targeted,
      target,
    });
    expect(mapOlid(row('nice day', 'NOT'))).toBe('neutral');
    expect(mapOlid(row('this shit again', 'OFF', 'UNT'))).toBe('venting');
    expect(mapOlid(row('the league is a fucking joke', 'OFF', 'TIN', 'OTH'))).toBe('venting');
    expect(mapOlid(row('you are a moron', 'OFF', 'TIN', 'IND'))).toBe('abusive');
    expect(mapOlid(row('he is a crook', 'OFF', 'TIN', 'IND'))).toBeUndefined();
  });

  it('Kaggle insults: decodes escapes and maps insults, swearing and the rest', () => {
    expect(cleanKaggleComment('"don\\\\\'t\\\\nstop\\xa0now\\\\xe2\\\\x80\\\\x99s"')).toBe("don't stop now’s");
    expect(mapKaggleInsult(true, 'you idiot')).toBe('abusive');
    expect(mapKaggleInsult(false, 'that game was fucking great')).toBe('venting');
    expect(mapKaggleInsult(false, 'his son is such a cunt')).toBeUndefined();
    expect(mapKaggleInsult(false, 'I disagree')).toBe('neutral');
  });

  it('ConvAbuse: mean severity, then who the abuse is aimed at', () => {
    const judged = (...severities: number[]) => ({ severities, sexualHarassment: false });
    expect(mapConvAbuse('yes', judged(1, 1, -1))).toBe('neutral');
    expect(mapConvAbuse('bitch', judged(-2, -2))).toBe('abusive');
    expect(mapConvAbuse('what a load of bullshit', judged(-1, -1))).toBe('venting');
    expect(mapConvAbuse('are u hot', { severities: [-1], sexualHarassment: true })).toBe('abusive');
    expect(mapConvAbuse('hang up', judged(-1, -1, 1))).toBeUndefined();
  });

  it('GoEmotions: anger is venting unless it insults the listener', () => {
    expect(mapGoEmotions(['anger'], 'Go fuck yourself.')).toBe('abusive');
    expect(mapGoEmotions(['annoyance'], 'This hurts my brain')).toBe('venting');
    expect(mapGoEmotions(['anger'], "He's a sexist piece of shit")).toBeUndefined();
    expect(mapGoEmotions(['neutral'], 'Is this in New Orleans?')).toBe('neutral');
    expect(mapGoEmotions(['joy'], 'Yay')).toBeUndefined();
    expect(fillPlaceholders('[NAME] said hi')).toMatch(/^[a-z]+ said hi$/);
  });

  it('complaints: only frustrated complaints are venting', () => {
    expect(mapComplaint(true, 'worst customer service ever')).toBe('venting');
    expect(mapComplaint(true, 'I never received my order')).toBeUndefined();
    expect(mapComplaint(false, 'thanks for the quick reply')).toBe('neutral');
  });

  it('ToxiGen: the file name gives the label and the group', () => {
    expect(mapToxigenFile('hate_muslim_sentences.txt')).toEqual({ label: 'abusive', group: 'muslim' });
    expect(mapToxigenFile('hate_muslim.txt')).toEqual({ label: 'abusive', group: 'muslim' });
    expect(mapToxigenFile('neutral_bisexual.txt')).toEqual({ label: 'neutral', group: 'lgbtq' });
    expect(mapToxigenFile('neutral_physical_disability_sentences.txt')).toEqual({
      label: 'neutral',
      group: 'physical_dis',
    });
    expect(mapToxigenFile('hate_martians_sentences.txt')).toBeUndefined();
    expect(mapToxigenFile('LICENSE.txt')).toBeUndefined();
    expect(toxigenSentences('they are all the same\\n\r\n\n  many of them run small shops \n')).toEqual([
      'they are all the same',
      'many of them run small shops',
    ]);
  });

  it('Stormfront: hate and noHate judged alone, no race talk as neutral', () => {
    const row = (text: string, label: string, contexts = 0) => ({ fileId: '1_1', label, contexts, text });
    expect(mapStormfront(row('Those people are nothing but filthy parasites .', 'hate'))).toBe('abusive');
    expect(mapStormfront(row('They probably took the whole lot .', 'hate', 3))).toBeUndefined();
    expect(mapStormfront(row('The weather here has been lovely all week .', 'noHate'))).toBe('neutral');
    expect(mapStormfront(row('Our school had hardly any white kids left .', 'noHate'))).toBeUndefined();
    expect(mapStormfront(row('Half the street is immigrants now .', 'noHate'))).toBeUndefined();
    expect(mapStormfront(row('Great video here YouTube - Broadcast Yourself .', 'noHate'))).toBeUndefined();
    expect(mapStormfront(row('Thanks !', 'noHate'))).toBeUndefined();
    expect(mapStormfront(row('That is what they all do with the next one .', 'relation'))).toBeUndefined();
    expect(mapStormfront(row('Das ist ein langer Satz hier .', 'idk/skip'))).toBeUndefined();
  });

  it('Davidson: hate → abusive, neither → neutral; only unanimous hate without in-group spellings trains', () => {
    const row = (tweet: string, cls: string, hateVotes = 3, votes = 3) => ({ tweet, class: cls, hateVotes, votes });
    expect(mapDavidson(row('go back where you came from vermin', '0'))).toBe('abusive');
    expect(mapDavidson(row('what a lovely sunny day', '2', 0))).toBe('neutral');
    expect(mapDavidson(row('this damn traffic', '1', 0))).toBeUndefined();
    const unanimous = Array.from({ length: 200 }, (_, i) => row(`tweet ${i} full of hate`, '0'));
    const trained = unanimous.filter(trainsOnDavidson).length / unanimous.length;
    expect(trained).toBeGreaterThan(0.55);
    expect(trained).toBeLessThan(0.85);
    expect(unanimous.map((r) => ({ ...r, hateVotes: 2 })).some(trainsOnDavidson)).toBe(false);
    expect(unanimous.map((r) => ({ ...r, tweet: `${r.tweet} my niggas` })).some(trainsOnDavidson)).toBe(false);
    expect(unanimous.map((r) => ({ ...r, class: '2' })).some(trainsOnDavidson)).toBe(false);
  });
});

describe('assembling the training set', () => {
  const example = (text: string, source = 'olid', label: Example['label'] = 'neutral'): Example => ({
    text,
    label,
    source,
  });

  it('normalises, drops public threats, long texts and repeats', () => {
    const long = Array.from({ length: 80 }, () => 'word').join(' ');
    const kept = normalise(
      [example('Hello THERE'), example('hello there'), example('I will kill you'), example(long)],
      true,
    );
    expect(kept.map((e) => e.text)).toEqual(['hello there']);
    expect(normalise([example('i will kill you', 'project', 'threat')], false)).toHaveLength(1);
  });

  it('keeps the first of repeated texts', () => {
    expect(dedupeByText([example('a', 'project', 'venting'), example('a')])).toEqual([
      example('a', 'project', 'venting'),
    ]);
  });

  it('removes leaks into test sets, slices a dev set and repeats project rows', () => {
    const rows = Array.from({ length: 300 }, (_, i) => example(`row ${i}`, i % 2 ? 'project' : 'olid'));
    const { train, dev } = assembleTraining([rows], [[example('row 0')]]);
    expect([...train, ...dev].some((e) => e.text === 'row 0')).toBe(false);
    expect(dev.length).toBeGreaterThan(5);
    expect(dev.length).toBeLessThan(45);
    const devTexts = new Set(dev.map((e) => e.text));
    expect(train.some((e) => devTexts.has(e.text))).toBe(false);
    const projectInTrain = rows.filter((r) => r.source === 'project' && r.text !== 'row 0' && !devTexts.has(r.text));
    expect(train.filter((e) => e.source === 'project')).toHaveLength(projectInTrain.length * PROJECT_UPSAMPLE);
  });

  it('drops project rows that nearly copy a held-out project row', () => {
    const held = {
      text: "i'm a patient man and i can wait for you",
      label: 'threat' as const,
      source: 'project-blind',
    };
    const copy = { text: "i'm a patient man i can wait for you", label: 'threat' as const, source: 'project' };
    const other = { text: 'i will find your car in the staff car park', label: 'threat' as const, source: 'project' };
    const { train, dev } = assembleTraining([[copy, other]], [[held]], [held.text]);
    const kept = [...train, ...dev].map((e) => e.text);
    expect(kept).toContain(other.text);
    expect(kept).not.toContain(copy.text);
  });
});
