import { findGroupTerms, GROUP_TERMS, namedGroup, type TermForm, type TermMatch } from './identity-terms.js';
import { hashString } from './random.js';
import type { Example } from './types.js';

/**
 * Counterfactual augmentation: a line tagged with a group is copied with that group's words
 * replaced by another group's, label kept, so that a group word alone (abusive or warm) does not
 * decide the label. Swaps are made from neutral, venting and abusive lines alike; threats and
 * multi-turn snippets are left alone (too few threats per group to balance, and a snippet's
 * context would still name the old group). A line's group is its tag (the project's identity
 * lines, ToxiGen) or, untagged, the first group its words name: the public hate sources name a few
 * groups far more than others (Stormfront: black and jewish people), and unswapped they teach
 * those groups' words as abuse.
 */
export const GROUP_SWAP_SOURCE = 'group-swap';
/** Copies made of each line, each to a different group. */
export const SWAPS_PER_LINE = 2;

/** Fixed expressions where a group word is not about people ("indian summer"): never swapped. */
const IDIOMS =
  /\b(queer old|indian summer|mexican wave|chinese whispers|christian name|name's christian|christian's the name|black (hole|friday|cab|coffee|tie|market)|blind spot|turn a blind eye|trans fats?|black ice|deaf ears?|venetian blinds?|arab (stallion|horse)s?|dykes? (along|by|at|on|of|broke|burst))\b/;

/** Words after which a group word describes them ("a muslim woman", "the deaf club"). */
const HEAD_NOUNS = new Set(
  (
    'man men woman women girl girls lad lads boy boys bloke guy guys fella lady ladies person people family families ' +
    'friend friends neighbour neighbours colleague colleagues engineer driver nurse doctor community centre ' +
    'school shop restaurant church name names surname convert couple kid kids son daughter wife husband mum dad ' +
    'parents grandmother grandfather student students worker workers staff customer customers agent adviser ' +
    'accent culture food music country countries group club owner business'
  ).split(' '),
);
const COPULAS = new Set("am i'm is he's she's it's are we're they're you're was were be being been become".split(' '));
const DETERMINERS = new Set('a an the this that another every one some any no your my his her our their'.split(' '));
/** Words that end a noun phrase: after "a muslim" one of these means the group word was the noun. */
const PHRASE_ENDS = new Set(
  "and or but so who that which is was are were on in at to for with from like because if when i you he she we they it me him them us isn't wasn't".split(
    ' ',
  ),
);
/** "you chinese are ...": a group word after one of these, before one of the next, stands for the people. */
const PLURAL_BEFORE = new Set('you all these those'.split(' '));
const PLURAL_AFTER = new Set("are were have always never all can't don't won't do think get come keep want".split(' '));

/** Which form of the other group's words fits where this word stands. */
function formAt(text: string, match: TermMatch): TermForm {
  const next = /^\s+([\p{L}']+)/u.exec(text.slice(match.end))?.[1];
  const previous = /([\p{L}']+)\s+$/u.exec(text.slice(0, match.start))?.[1];
  if (match.forms.includes('plural')) return 'plural';
  if (previous !== undefined && PLURAL_BEFORE.has(previous) && (next === undefined || PLURAL_AFTER.has(next)))
    return 'plural';
  const [only] = match.forms;
  if (match.forms.length === 1 && only) return only;
  if (next !== undefined && HEAD_NOUNS.has(next)) return 'adjective';
  if (previous !== undefined && (COPULAS.has(previous) || previous.endsWith("'s"))) return 'adjective';
  if (previous !== undefined && DETERMINERS.has(previous))
    return next === undefined || PHRASE_ENDS.has(next) ? 'noun' : 'adjective';
  return 'noun';
}

const startsWithVowel = (word: string): boolean => /^[aeiou]/.test(word);

/** Replaces every word of group `from` with the same form of group `to`, fixing "a"/"an" before it. */
export function swapGroup(text: string, from: string, to: string): string | undefined {
  const target = GROUP_TERMS[to];
  const matches = findGroupTerms(text, from);
  if (!target || matches.length === 0 || IDIOMS.test(text)) return undefined;
  let out = '';
  let at = 0;
  for (const match of matches) {
    const replacement = target[formAt(text, match)];
    const before = text
      .slice(at, match.start)
      .replace(
        /\b(an?)(\s+)$/,
        (_, _article: string, space: string) => `${startsWithVowel(replacement) ? 'an' : 'a'}${space}`,
      );
    out += before + replacement;
    at = match.end;
  }
  return out + text.slice(at);
}

const SWAPPABLE_GROUPS = Object.keys(GROUP_TERMS);

/** The groups a line goes to: a fixed pick per line, never its own group. */
function targetGroups(text: string, own: string): string[] {
  const others = SWAPPABLE_GROUPS.filter((group) => group !== own);
  const first = hashString(`swap:${text}`) % others.length;
  return Array.from(
    { length: Math.min(SWAPS_PER_LINE, others.length) },
    (_, i) => others[(first + i) % others.length]!,
  );
}

/** The counterfactual copies of the lines that can be swapped (source `group-swap`). */
export function groupSwaps(examples: readonly Example[]): Example[] {
  return examples.flatMap((example) => {
    const { label, context, text } = example;
    const group = example.group ?? namedGroup(text);
    if (group === undefined || label === 'threat' || context !== undefined) return [];
    return targetGroups(text, group).flatMap((to) => {
      const swapped = swapGroup(text, group, to);
      return swapped === undefined || swapped === text
        ? []
        : [{ ...example, text: swapped, group: to, source: GROUP_SWAP_SOURCE, swappedFrom: text }];
    });
  });
}
