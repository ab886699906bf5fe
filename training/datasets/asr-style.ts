import { MASKABLE } from './lexicon.js';
import { unitHash } from './random.js';

/** Share of texts whose profanity is masked, as speech-to-text does with its filter on. */
const MASKED_SHARE = 0.5;
/** Longer texts are essays, not spoken turns, and their label may sit past the encoder's reach. */
export const MAX_WORDS = 60;

const HTML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeHtml(text: string): string {
  return text
    .replace(/<[^>]+>/g, ' ')
    .replace(/&(#\d+|[a-z]+);/gi, (entity, name: string) =>
      name.startsWith('#')
        ? String.fromCodePoint(Number(name.slice(1)))
        : (HTML_ENTITIES[name.toLowerCase()] ?? entity),
    );
}

const EMOJI = /[\p{Extended_Pictographic}\p{Regional_Indicator}\u{1F3FB}-\u{1F3FF}\u{FE0F}\u{200D}\u{20E3}]/gu;
const EMOTICON = /(?<=^|\s)(?:[:;=x]-?[()dpo/\\|*]+|<3+|>_+<|\^_*\^)(?=\s|$)/gi;

/**
 * Makes written text look like a speech-to-text final: no handles, links, hashtag signs, emojis
 * or markup; lower case; runs of punctuation collapsed; single spaces.
 */
export function asrStyle(raw: string): string {
  return (
    decodeHtml(raw)
      .replace(/[\u2018\u2019`\u00b4]/g, "'")
      .replace(/[\u201c\u201d]/g, '"')
      .replace(/\bRT\b:?/g, ' ')
      .replace(/@\w+/g, ' ')
      .replace(/https?:\/\/\S+|www\.\S+|\bURL\b/g, ' ')
      .replace(/#(?=\w)/g, '')
      .replace(EMOJI, ' ')
      .replace(EMOTICON, ' ')
      .toLowerCase()
      // Runs of punctuation collapse, but not the asterisks of a masked word: serving sees "f***ing" as sent.
      .replace(/([!?.,'"-])\1+/g, '$1')
      .replace(/\s+/g, ' ')
      .replace(/^[\s:;,.\-"]+|[\s:;,\-"]+$/g, '')
      .trim()
  );
}

/** "fucking" → "f******", in a fixed half of the texts chosen by hashing the text with the seed. */
export function maskProfanity(text: string, seed: string): string {
  if (unitHash(`${seed}:${text}`) >= MASKED_SHARE) return text;
  return text.replace(MASKABLE, (word) => word[0] + '*'.repeat(word.length - 1));
}

export const wordCount = (text: string): number => text.split(' ').filter((w) => w !== '').length;
