/**
 * Word lists behind the mapping rules. They decide only what the public labels leave open
 * (is the insult aimed at the listener? is the swearing a threat in disguise?), so they
 * favour precision: a row they cannot place is dropped, not guessed.
 */

const words = (list: readonly string[]): string => list.join('|');

/** Words speech-to-text masks (first letter kept), as stems: each matches its inflections. */
const MASKED_STEMS = [
  '(?:mother)?f+u+c+k\\w*',
  'shit\\w*',
  'bitch\\w*',
  'cunt\\w*',
  'asshole\\w*',
  'ass',
  'dumbass',
  'jackass',
  'bastard\\w*',
  'dick(?:s|head\\w*)?',
  'cock(?:s|sucker\\w*)?',
  'piss\\w*',
  'bullshit',
  'whore\\w*',
  'slut\\w*',
  'fag(?:s|got\\w*)?',
  'nigg\\w*',
];
export const MASKABLE = new RegExp(`\\b(?:${words(MASKED_STEMS)})\\b`, 'gi');

const MILD_SWEARING = ['damn\\w*', 'hell', 'crap\\w*', 'wtf', 'stfu', 'screw\\w*', 'sucks?', 'freaking', 'frigging'];
const SWEARING = new RegExp(`\\b(?:${words([...MASKED_STEMS, ...MILD_SWEARING])})\\b|\\b[a-z]\\*{2,}`, 'i');

const INSULTS = [
  'idiots?',
  'idiotic',
  'morons?',
  'moronic',
  'stupid',
  'dumb',
  'dumbass\\w*',
  'imbeciles?',
  'retard\\w*',
  'losers?',
  'bitch\\w*',
  'cunts?',
  'assholes?',
  'bastards?',
  'jerks?',
  'pigs?',
  'scum\\w*',
  'trash',
  'fools?',
  'clowns?',
  'creeps?',
  'pathetic',
  'worthless',
  'useless',
  'incompetent',
  'ignorant',
  'pricks?',
  'dicks?',
  'dickheads?',
  'twats?',
  'wankers?',
  'whores?',
  'sluts?',
  'douche\\w*',
  'fuckers?',
  'motherfuckers?',
  'shitheads?',
  'piece of shit',
  'brainless',
  'clueless',
  'liars?',
  'cowards?',
  'freaks?',
  'hypocrites?',
  'bigots?',
  'racists?',
  'nazis?',
  'ugly',
  'fat',
  'nigg\\w*',
  'fag\\w*',
  'trann\\w*',
  'dyke',
  'leech',
  'schmucks?',
];
const INSULT = new RegExp(`\\b(?:${words(INSULTS)})\\b`, 'i');

const DISMISSALS = [
  '(?:fuck|screw|f\\*+) (?:you|u|ya|yourself|off)',
  'shut (?:up|your|the)',
  'stfu',
  'piss off',
  'get the (?:fuck|f\\*+) out',
  'go to hell',
  'get lost',
  'suck (?:my|it)',
  'eat shit',
  'kiss my',
  'bite me',
  'blow me',
];
const DISMISSAL = new RegExp(`\\b(?:${words(DISMISSALS)})\\b`, 'i');

const YOU = "you|you're|youre|you are|u|ur|ya|yourself";
/** An insult up to three words after a second-person pronoun: "you are such a lazy idiot". */
const INSULT_AT_YOU = new RegExp(`\\b(?:${YOU})\\b(?:\\W+\\w+){0,3}?\\W+(?:${words(INSULTS)})\\b`, 'i');

const SECOND_PERSON = /\b(?:you|your|yours|yourself|yourselves|you're|youre|you've|you'll|you'd|u|ur|ya|yall|y'all)\b/i;
const THIRD_PERSON_SINGULAR = /\b(?:he|she|him|her|his|hers|he's|she's|himself|herself)\b/i;

const HARM = 'kill|murder|shoot|stab|strangle|choke|hurt|beat|punch|bomb|burn|rape|slit|hang';
const THREAT = new RegExp(
  `\\b(?:${HARM})\\w*\\b.{0,20}\\b(?:you|u|ya|your|yourself|him|her|them|everyone|people|me)\\b` +
    `|\\bi know where (?:you|u|ya)\\b|\\b(?:die|kys)\\b`,
  'i',
);

const FRUSTRATION = new RegExp(
  `\\b(?:${words([
    'worst',
    'terrible',
    'awful',
    'horrible',
    'ridiculous',
    'pathetic',
    'useless',
    'joke',
    'disgrace\\w*',
    'disgusting',
    'appalling',
    'unacceptable',
    'fed up',
    'sick of',
    'never again',
    'rubbish',
    'poor',
    'disappointed',
    'disappointing',
    'annoyed',
    'annoying',
    'frustrat\\w*',
    'furious',
    'angry',
    'hate',
    'waste',
    'shocking',
    'incompetent',
    'still waiting',
    'seriously',
    'ugh',
    'shame',
    'shameful',
    'fail\\w*',
  ])})\\b` + `|!{2,}|\\?!`,
  'i',
);

/** ASCII apostrophes so one pattern covers "you’re" and "you're". */
const plain = (text: string): string => text.replace(/[\u2018\u2019`\u00b4]/g, "'");

export const hasSwearing = (text: string): boolean => SWEARING.test(plain(text));
export const hasInsult = (text: string): boolean => INSULT.test(plain(text));
export const looksLikeThreat = (text: string): boolean => THREAT.test(plain(text));

/** Spoken at the listener: second person, and no he/she whom the remark could be about. */
export function addressesListener(text: string): boolean {
  const t = plain(text);
  return SECOND_PERSON.test(t) && !THIRD_PERSON_SINGULAR.test(t);
}

/** "fuck you", "shut up", "you're an idiot": abuse aimed at the person spoken to. */
export function insultsListener(text: string): boolean {
  const t = plain(text);
  return DISMISSAL.test(t) || INSULT_AT_YOU.test(t);
}

/** Frustration a calm complaint lacks: swearing, angry words, "!!", or a shouted word. */
export function soundsFrustrated(text: string): boolean {
  const t = plain(text);
  return hasSwearing(t) || FRUSTRATION.test(t) || /\b[A-Z]{5,}\b/.test(t.replace(/@\w+|#\w+|https?:\S+/g, ''));
}
