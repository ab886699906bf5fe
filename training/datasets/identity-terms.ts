/**
 * Words that name an identity group (CONTRACT.md's group tags), in three grammatical forms so a
 * line can have one group's words replaced by another's. Slurs are left out on purpose: they
 * belong to one group and must not be carried across. `accent` has no person word.
 */
export interface GroupTerms {
  /** What replaces a word of another group: "a deaf woman", "a deaf person", "deaf people". */
  adjective: string;
  noun: string;
  plural: string;
  /** Words recognised as this group's, by form. A word in both lists is either, by context. */
  adjectives: readonly string[];
  nouns: readonly string[];
  plurals: readonly string[];
}

export const GROUP_TERMS: Readonly<Record<string, GroupTerms>> = {
  asian: {
    adjective: 'asian',
    noun: 'asian',
    plural: 'asians',
    adjectives: ['asian', 'korean', 'filipino', 'vietnamese', 'japanese'],
    nouns: ['asian', 'korean', 'filipino', 'filipina'],
    plurals: ['asians', 'asian people', 'koreans', 'filipinos'],
  },
  black: {
    adjective: 'black',
    noun: 'black person',
    plural: 'black people',
    adjectives: ['black', 'african', 'african american'],
    nouns: ['black person', 'african'],
    plurals: ['black people', 'blacks', 'africans', 'african americans'],
  },
  chinese: {
    adjective: 'chinese',
    noun: 'chinese person',
    plural: 'chinese people',
    adjectives: ['chinese'],
    nouns: ['chinese person'],
    plurals: ['chinese people', 'the chinese'],
  },
  jewish: {
    adjective: 'jewish',
    noun: 'jewish person',
    plural: 'jewish people',
    adjectives: ['jewish'],
    nouns: ['jew', 'jewish person'],
    plurals: ['jews', 'jewish people'],
  },
  latino: {
    adjective: 'latino',
    noun: 'latino',
    plural: 'latinos',
    adjectives: ['latino', 'latina', 'hispanic'],
    nouns: ['latino', 'latina', 'hispanic'],
    plurals: ['latinos', 'latinas', 'hispanics'],
  },
  lgbtq: {
    adjective: 'gay',
    noun: 'gay man',
    plural: 'gay people',
    adjectives: ['gay', 'lesbian', 'bisexual', 'queer'],
    nouns: ['gay man', 'lesbian', 'homosexual'],
    plurals: ['gay people', 'gays', 'gay men', 'lesbians', 'homosexuals'],
  },
  mental_dis: {
    adjective: 'autistic',
    noun: 'autistic person',
    plural: 'autistic people',
    adjectives: ['autistic', 'mentally ill', 'bipolar', 'dyslexic'],
    nouns: ['autistic person'],
    plurals: ['autistic people', 'mentally ill people', 'people with mental illness'],
  },
  mexican: {
    adjective: 'mexican',
    noun: 'mexican',
    plural: 'mexicans',
    adjectives: ['mexican'],
    nouns: ['mexican'],
    plurals: ['mexicans'],
  },
  middle_east: {
    adjective: 'arab',
    noun: 'arab',
    plural: 'arabs',
    adjectives: ['arab', 'middle eastern'],
    nouns: ['arab'],
    plurals: ['arabs'],
  },
  muslim: {
    adjective: 'muslim',
    noun: 'muslim',
    plural: 'muslims',
    adjectives: ['muslim', 'islamic'],
    nouns: ['muslim'],
    plurals: ['muslims'],
  },
  native_american: {
    adjective: 'native american',
    noun: 'native american',
    plural: 'native americans',
    adjectives: ['native american', 'indigenous'],
    nouns: ['native american'],
    plurals: ['native americans', 'natives'],
  },
  physical_dis: {
    adjective: 'disabled',
    noun: 'wheelchair user',
    plural: 'disabled people',
    adjectives: ['disabled', 'blind'],
    nouns: ['wheelchair user', 'amputee'],
    plurals: ['disabled people', 'the disabled', 'wheelchair users'],
  },
  women: {
    adjective: 'female',
    noun: 'woman',
    plural: 'women',
    adjectives: ['female'],
    nouns: ['woman', 'girl', 'lady'],
    plurals: ['women', 'girls', 'ladies', 'females'],
  },
  immigrant: {
    adjective: 'immigrant',
    noun: 'immigrant',
    plural: 'immigrants',
    adjectives: ['immigrant', 'foreign'],
    nouns: ['immigrant', 'migrant', 'refugee', 'foreigner'],
    plurals: ['immigrants', 'migrants', 'refugees', 'foreigners'],
  },
  deaf: {
    adjective: 'deaf',
    noun: 'deaf person',
    plural: 'deaf people',
    adjectives: ['deaf', 'hard of hearing'],
    nouns: ['deaf person'],
    plurals: ['deaf people'],
  },
  christian: {
    adjective: 'christian',
    noun: 'christian',
    plural: 'christians',
    adjectives: ['christian', 'catholic'],
    nouns: ['christian', 'catholic'],
    plurals: ['christians', 'catholics'],
  },
  indian: {
    adjective: 'indian',
    noun: 'indian',
    plural: 'indians',
    adjectives: ['indian', 'hindu', 'sikh'],
    nouns: ['indian', 'hindu', 'sikh'],
    plurals: ['indians', 'hindus', 'sikhs'],
  },
  trans: {
    adjective: 'trans',
    noun: 'trans person',
    plural: 'trans people',
    adjectives: ['trans', 'transgender', 'non binary'],
    nouns: ['trans person', 'trans woman', 'trans man'],
    plurals: ['trans people', 'transgender people', 'trans women', 'trans men'],
  },
  elderly: {
    adjective: 'elderly',
    noun: 'pensioner',
    plural: 'pensioners',
    adjectives: ['elderly'],
    nouns: ['pensioner', 'old person', 'old man', 'old woman', 'old lady'],
    plurals: ['pensioners', 'old people', 'elderly people', 'old folk'],
  },
};

export type TermForm = 'adjective' | 'noun' | 'plural';

export interface TermMatch {
  start: number;
  end: number;
  word: string;
  /** The forms the word can take in this group (one, or adjective and noun). */
  forms: readonly TermForm[];
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function termPattern(group: GroupTerms): RegExp {
  const words = [...new Set([...group.plurals, ...group.nouns, ...group.adjectives])].sort(
    (a, b) => b.length - a.length,
  );
  return new RegExp(`(?<![\\p{L}'*])(?:${words.map(escape).join('|')})(?![\\p{L}*])`, 'giu');
}

const PATTERNS = new Map(Object.entries(GROUP_TERMS).map(([name, terms]) => [name, termPattern(terms)]));

/** Every word of `group` in the (lower-case) text, longest match first at each place. */
export function findGroupTerms(text: string, group: string): TermMatch[] {
  const terms = GROUP_TERMS[group];
  const pattern = PATTERNS.get(group);
  if (!terms || !pattern) return [];
  return [...text.matchAll(pattern)].map((match) => {
    const word = match[0].toLowerCase();
    const forms: TermForm[] = [];
    if (terms.plurals.includes(word)) forms.push('plural');
    if (terms.nouns.includes(word)) forms.push('noun');
    if (terms.adjectives.includes(word)) forms.push('adjective');
    return { start: match.index, end: match.index + match[0].length, word, forms };
  });
}

/** The first group (in GROUP_TERMS order) whose words the text uses, if any. */
export function namedGroup(text: string): string | undefined {
  return Object.keys(GROUP_TERMS).find((group) => findGroupTerms(text, group).length > 0);
}
