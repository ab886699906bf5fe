/**
 * Words that name an identity group (CONTRACT.md's group tags), in three grammatical forms so a
 * line can have one group's words replaced by another's. Slurs are left out on purpose: they
 * belong to one group and must not be carried across. `accent` has no person word.
 */
export interface GroupTerms {
  /** What replaces a word of another group: "a deaf woman", "a deaf person", "deaf people"; the first word of its list. */
  adjective: string;
  noun: string;
  plural: string;
  /** Words recognised as this group's, by form. A word in both lists is either, by context. */
  adjectives: readonly string[];
  nouns: readonly string[];
  plurals: readonly string[];
}

/** Takes each form's replacement word from the front of its list. */
const byForm = (words: Pick<GroupTerms, 'adjectives' | 'nouns' | 'plurals'>): GroupTerms => ({
  adjective: words.adjectives[0]!,
  noun: words.nouns[0]!,
  plural: words.plurals[0]!,
  ...words,
});

export const GROUP_TERMS: Readonly<Record<string, GroupTerms>> = {
  asian: byForm({
    adjectives: ['asian', 'korean', 'filipino', 'vietnamese', 'japanese'],
    nouns: ['asian', 'korean', 'filipino', 'filipina'],
    plurals: ['asians', 'asian people', 'koreans', 'filipinos'],
  }),
  black: byForm({
    adjectives: ['black', 'african', 'african american'],
    nouns: ['black person', 'african'],
    plurals: ['black people', 'blacks', 'africans', 'african americans'],
  }),
  chinese: byForm({
    adjectives: ['chinese'],
    nouns: ['chinese person'],
    plurals: ['chinese people', 'the chinese'],
  }),
  jewish: byForm({
    adjectives: ['jewish'],
    nouns: ['jewish person', 'jew'],
    plurals: ['jewish people', 'jews'],
  }),
  latino: byForm({
    adjectives: ['latino', 'latina', 'hispanic'],
    nouns: ['latino', 'latina', 'hispanic'],
    plurals: ['latinos', 'latinas', 'hispanics'],
  }),
  lgbtq: byForm({
    adjectives: ['gay', 'lesbian', 'bisexual', 'queer'],
    nouns: ['gay man', 'lesbian', 'homosexual'],
    plurals: ['gay people', 'gays', 'gay men', 'lesbians', 'homosexuals'],
  }),
  mental_dis: byForm({
    adjectives: ['autistic', 'mentally ill', 'bipolar', 'dyslexic'],
    nouns: ['autistic person'],
    plurals: ['autistic people', 'mentally ill people', 'people with mental illness'],
  }),
  mexican: byForm({
    adjectives: ['mexican'],
    nouns: ['mexican'],
    plurals: ['mexicans'],
  }),
  middle_east: byForm({
    adjectives: ['arab', 'middle eastern'],
    nouns: ['arab'],
    plurals: ['arabs'],
  }),
  muslim: byForm({
    adjectives: ['muslim', 'islamic'],
    nouns: ['muslim'],
    plurals: ['muslims'],
  }),
  native_american: byForm({
    adjectives: ['native american', 'indigenous'],
    nouns: ['native american'],
    plurals: ['native americans', 'natives'],
  }),
  physical_dis: byForm({
    adjectives: ['disabled', 'blind'],
    nouns: ['wheelchair user', 'amputee'],
    plurals: ['disabled people', 'the disabled', 'wheelchair users'],
  }),
  women: byForm({
    adjectives: ['female'],
    nouns: ['woman', 'girl', 'lady'],
    plurals: ['women', 'girls', 'ladies', 'females'],
  }),
  immigrant: byForm({
    adjectives: ['immigrant', 'foreign'],
    nouns: ['immigrant', 'migrant', 'refugee', 'foreigner'],
    plurals: ['immigrants', 'migrants', 'refugees', 'foreigners'],
  }),
  deaf: byForm({
    adjectives: ['deaf', 'hard of hearing'],
    nouns: ['deaf person'],
    plurals: ['deaf people'],
  }),
  christian: byForm({
    adjectives: ['christian', 'catholic'],
    nouns: ['christian', 'catholic'],
    plurals: ['christians', 'catholics'],
  }),
  indian: byForm({
    adjectives: ['indian', 'hindu', 'sikh'],
    nouns: ['indian', 'hindu', 'sikh'],
    plurals: ['indians', 'hindus', 'sikhs'],
  }),
  trans: byForm({
    adjectives: ['trans', 'transgender', 'non binary'],
    nouns: ['trans person', 'trans woman', 'trans man'],
    plurals: ['trans people', 'transgender people', 'trans women', 'trans men'],
  }),
  elderly: byForm({
    adjectives: ['elderly'],
    nouns: ['pensioner', 'old person', 'old man', 'old woman', 'old lady'],
    plurals: ['pensioners', 'old people', 'elderly people', 'old folk'],
  }),
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
