/**
 * How members type on Discord → what they ask. Mentions of people, roles and channels, links, greetings,
 * thanks and politeness carry no content to look for in the articles, and chat abbreviations stand for
 * ordinary words ("govt" is "government"). The tables below are general English chat usage, not taken from
 * any corpus or question set.
 */
import { ownValue } from '../shared/own-value.js';

/** Chat abbreviations and common misspellings → the words they stand for. */
const CHAT_WORDS: Record<string, string> = {
  u: 'you',
  ur: 'your',
  r: 'are',
  n: 'and',
  y: 'why',
  wat: 'what',
  wot: 'what',
  wut: 'what',
  whats: 'what is',
  wats: 'what is',
  wots: 'what is',
  wuts: 'what is',
  wht: 'what',
  hw: 'how',
  abt: 'about',
  bc: 'because',
  cuz: 'because',
  coz: 'because',
  cos: 'because',
  b4: 'before',
  w: 'with',
  wo: 'without',
  govt: 'government',
  gov: 'government',
  govts: 'governments',
  ppl: 'people',
  peeps: 'people',
  ppls: 'people',
  pls: 'please',
  plz: 'please',
  thx: 'thanks',
  ty: 'thanks',
  tho: 'though',
  thru: 'through',
  rn: 'now',
  any1: 'anyone',
  some1: 'someone',
  every1: 'everyone',
  no1: 'no one',
  jw: '',
  ngl: '',
  tbh: '',
  imo: '',
  imho: '',
  idk: '',
  btw: '',
  fyi: '',
  lol: '',
  lmao: '',
  omg: '',
  afaik: '',
  iirc: '',
  smth: 'something',
  sth: 'something',
  sb: 'somebody',
  ppl2: 'people',
  mins: 'minutes',
  hrs: 'hours',
  yrs: 'years',
  yr: 'year',
  info: 'information',
  teh: 'the',
  hte: 'the',
  adn: 'and',
  becuase: 'because',
  becasue: 'because',
  dont: 'do not',
  doesnt: 'does not',
  didnt: 'did not',
  isnt: 'is not',
  wasnt: 'was not',
  cant: 'cannot',
  wont: 'will not',
  im: 'i am',
  ive: 'i have',
  gonna: 'going to',
  wanna: 'want to',
  gotta: 'have to',
  kinda: '',
  sorta: '',
  dunno: 'do not know',
  wen: 'when',
  shud: 'should',
  shld: 'should',
  wud: 'would',
  cud: 'could',
  tht: 'that',
  dat: 'that',
  da: 'the',
  bcoz: 'because',
  bcuz: 'because',
  bcos: 'because',
  '2day': 'today',
  tmrw: 'tomorrow',
  tmr: 'tomorrow',
  '2moro': 'tomorrow',
  yday: 'yesterday',
  dr: 'doctor',
  drs: 'doctors',
  pic: 'picture',
  pics: 'pictures',
  vid: 'video',
  vids: 'videos',
  dept: 'department',
  govmt: 'government',
  uni: 'university',
  esp: 'especially',
  prob: 'probably',
  approx: 'approximately',
  mgmt: 'management',
  intl: 'international',
  avg: 'average',
  hwo: 'how',
  waht: 'what',
  whta: 'what',
  wich: 'which',
  whos: 'who is',
  wheres: 'where is',
  hows: 'how is',
  re: 'about',
  vs: 'against',
  theres: 'there is',
  thats: 'that is',
  heres: 'here is',
  whens: 'when is',
  whys: 'why is',
  hes: 'he is',
  shes: 'she is',
  theyre: 'they are',
  youre: 'you are',
  theyll: 'they will',
  youll: 'you will',
  itll: 'it will',
  thatll: 'that will',
  theyve: 'they have',
  youve: 'you have',
  weve: 'we have',
  theyd: 'they would',
  youd: 'you would',
  whod: 'who would',
  wouldve: 'would have',
  couldve: 'could have',
  shouldve: 'should have',
  mustve: 'must have',
  arent: 'are not',
  werent: 'were not',
  havent: 'have not',
  hasnt: 'has not',
  hadnt: 'had not',
  wouldnt: 'would not',
  couldnt: 'could not',
  shouldnt: 'should not',
  aint: 'is not',
  howd: 'how did',
  whatd: 'what did',
  whered: 'where did',
  whyd: 'why did',
  whaddya: 'what do you',
  lemme: 'let me',
  wtf: 'what',
  wth: 'what',
  atm: 'now',
};

// "can't" is "ca" + "n't".
const NEGATED: Record<string, string> = { ca: 'can not', wo: 'will not', sha: 'shall not' };
const CONTRACTED_BE = new Set([
  'what',
  'who',
  'where',
  'when',
  'why',
  'how',
  'there',
  'that',
  'here',
  'he',
  'she',
  'it',
  'let',
]);
const CONTRACTION_ENDINGS: Record<string, string> = { re: 'are', ve: 'have', ll: 'will', d: 'would', m: 'am' };

/** Contractions written with an apostrophe ("what's", "didn't", "they'll") → their words. */
function expandContractions(text: string): string {
  return text
    .replace(/\b(\p{L}+)n['’]t\b/giu, (_, base: string) => ownValue(NEGATED, base.toLowerCase()) ?? `${base} not`)
    .replace(/\b(\p{L}+)['’](s|re|ve|ll|d|m)\b/giu, (whole: string, base: string, ending: string) => {
      const lower = ending.toLowerCase();
      if (lower === 's') {
        // A name's "'s" is its possessive ("Hunt's"); only these words contract "is". "Let's" asks nothing.
        if (!CONTRACTED_BE.has(base.toLowerCase())) return whole;
        return base.toLowerCase() === 'let' ? '' : `${base} is`;
      }
      return `${base} ${CONTRACTION_ENDINGS[lower] ?? ''}`;
    });
}

/**
 * Words that address the bot or the channel rather than ask anything: greetings, thanks, politeness, the
 * bot itself, chat fillers. They are never searched for and never count against an answer.
 */
export const CONVERSATION_WORDS = new Set([
  'hey',
  'heya',
  'hi',
  'hiya',
  'hello',
  'helo',
  'yo',
  'sup',
  'oi',
  'greetings',
  'thanks',
  'thank',
  'thankyou',
  'cheers',
  'ta',
  'please',
  'kindly',
  'bot',
  'bots',
  'quick',
  'question',
  'questions',
  'q',
  'curious',
  'wondering',
  'wonder',
  'guys',
  'folks',
  'everyone',
  'anyone',
  'somebody',
  'someone',
  'mate',
  'bro',
  'dude',
  'pal',
  'ok',
  'okay',
  'k',
  'um',
  'uh',
  'erm',
  'hmm',
  'like',
  'just',
  'actually',
  'basically',
  'literally',
  'really',
  'so',
  'anyway',
  'nah',
  'yeah',
  'know',
  'tell',
  'remind',
  'reckon',
  'guy',
  'bloke',
  'fella',
  'bruh',
  'bruv',
  'fam',
  'lads',
  'lowkey',
  'highkey',
  'innit',
  'fr',
  'frfr',
  'deadass',
  'istg',
  'smh',
  'ffs',
  'tbf',
  'tbqh',
  'rly',
  'srsly',
  'lmk',
  'eh',
  'huh',
  'oof',
  'welp',
  'wassup',
  'whatsup',
]);

/**
 * Clipped words members type for longer ones ("docs", "health sec"), each with the words it may stand for.
 * A clipped word counts as each of them the corpus holds (query-terms.ts, clippingExpansions), so the corpus
 * decides: "docs" is "doctors" in a corpus on a strike, "documents" in one on software. General English
 * usage, not taken from any corpus or question set.
 */
export const CLIPPED_WORDS: Record<string, string[]> = {
  doc: ['doctor', 'document'],
  docs: ['doctors', 'documents'],
  sec: ['secretary', 'second'],
  secs: ['seconds', 'secretaries'],
  ep: ['episode'],
  eps: ['episodes'],
  stats: ['statistics'],
  pres: ['president'],
  prez: ['president'],
  rep: ['representative', 'republican'],
  reps: ['representatives', 'republicans'],
  dem: ['democrat'],
  dems: ['democrats'],
  dev: ['developer', 'development'],
  devs: ['developers'],
  champs: ['champions', 'championship'],
  ref: ['referee', 'reference'],
  refs: ['referees', 'references'],
  prem: ['premier'],
  temp: ['temperature', 'temporary'],
  admin: ['administration', 'administrator'],
  exec: ['executive'],
  execs: ['executives'],
  biz: ['business'],
  econ: ['economy', 'economics'],
  pols: ['politicians'],
  convo: ['conversation'],
  deets: ['details'],
  fave: ['favourite', 'favorite'],
  fav: ['favourite', 'favorite'],
  probs: ['probably', 'problems'],
  hosp: ['hospital'],
  meds: ['medication', 'medicines'],
  ops: ['operations'],
  mgr: ['manager'],
  prof: ['professor'],
  profs: ['professors'],
  grad: ['graduate'],
  grads: ['graduates'],
  footy: ['football'],
  telly: ['television'],
  mag: ['magazine'],
  mil: ['million'],
  bil: ['billion'],
  natl: ['national'],
  min: ['minister', 'minimum', 'minute'],
  congrats: ['congratulations'],
  rehab: ['rehabilitation'],
  vet: ['veteran', 'veterinary'],
  vets: ['veterans', 'vets'],
  sub: ['substitute', 'subscription'],
  subs: ['substitutes', 'subscriptions', 'subscribers'],
  tech: ['technology'],
  pro: ['professional'],
  pros: ['professionals'],
  unis: ['universities'],
};

/** Mentions as Discord writes them in message text, and `@name` as members type them. */
const MENTION = /<@[!&]?\d+>|<#\d+>|<a?:\w+:\d+>|(^|\s)@[\p{L}\p{N}_.-]+/gu;
/** Requests wrapped around a question ("can you tell me …", "hi there"), removed wherever they stand. */
const REQUEST_PHRASES = [
  /\b(?:hi|hey|hello)\s+there\b/giu,
  /\b(?:can|could|would|will)\s+you\s+(?:please\s+)?(?:tell|show|explain\s+to|remind)\s+me\b/giu,
  /\b(?:do|does)\s+(?:you|anyone|anybody)\s+know\b/giu,
  /\bi\s+(?:was|am|m)\s+wondering\b/giu,
  /\bi\s+(?:want|wanted|would\s+like)\s+to\s+know\b/giu,
  /\bquick\s+(?:question|q)\b/giu,
  /\b(?:can|could|would|will)\s+(?:some(?:one|body)|any(?:one|body))\s+(?:please\s+)?(?:tell|show|explain|remind)(?:\s+to)?(?:\s+me)?\b/giu,
  /\b(?:please\s+)?let\s+me\s+know\b/giu,
  /^\s*any\s+ideas?\b/iu,
  /\bis\s+it\s+true\s+that\b/giu,
  /\b(?:thanks|thank\s+you)\s+in\s+advance\b/giu,
  /\bsorry\s+(?:if\s+(?:this\s+is\s+)?(?:an?\s+)?(?:dumb|stupid|silly|daft|noob)\s+(?:question|q)|to\s+bother\s+(?:you|u|everyone))\b(?:[\s,:–—-]+but\b)?/giu,
];
/** Chat phrasings of plain ones ("acc to", "w/"), spelled out around the chat words (plainQuestion). */
const CHAT_PHRASES: [RegExp, string][] = [
  [/\bacc\.?\s+to\b/giu, 'according to'],
  [/\bw\/o(?![\p{L}\p{N}])/giu, 'without'],
  [/\bw\/(?![\p{L}\p{N}])/giu, 'with'],
  [/\bwhat\s+is\s+the\s+deal\s+with\b/giu, 'what about'],
];
const LINK = /\bhttps?:\/\/\S+|\b(?:discord\.gg|discord\.com\/invite)\/\S+/giu;
/** A name or two, as members address each other ("Priyanka", "Siobhan O'Neill"). */
const ADDRESSEE = String.raw`\p{Lu}[\p{L}'’-]*(?:\s+\p{Lu}[\p{L}'’-]*)?`;
/**
 * Greeting or thanking someone by name at either end ("hey Siobhan, …", "… thanks Priyanka"): the name is the
 * member addressed, not what is asked about. Chat abbreviations are spelled out before this ("thx" → "thanks").
 */
const anyCase = (word: string) => `[${word[0]?.toUpperCase()}${word[0]}]${word.slice(1)}`;
const either = (...phrases: string[]) => `(?:${phrases.map(anyCase).join('|')})`;
const ADDRESSED = [
  new RegExp(
    String.raw`^(\s*)${either('hey', 'hi', 'hiya', 'heya', 'hello', 'yo', 'oi', 'morning', 'evening')}\s+${ADDRESSEE}(?=[\s,:;!.–—-])`,
    'u',
  ),
  new RegExp(String.raw`(^|[\s,.!?;:–—-])${either('thanks', 'thank you')}\s+${ADDRESSEE}[\s!.?]*$`, 'u'),
  // "cheers" and "ta" only after punctuation: "… fans cheers Ashworth" is a question.
  new RegExp(String.raw`([,.!?;:–—-]\s*)${either('cheers', 'ta')}\s+${ADDRESSEE}[\s!.?]*$`, 'u'),
];

/** A word as members type it on Discord ("wat", "u", "n", "docs", "thx"), which plainQuestion reads. */
export function isChatSpelling(word: string): boolean {
  const lower = word.toLowerCase();
  return (
    ownValue(CHAT_WORDS, lower) !== undefined ||
    ownValue(CLIPPED_WORDS, lower) !== undefined ||
    CONVERSATION_WORDS.has(lower)
  );
}

/** The words a clipped word may stand for (CLIPPED_WORDS). */
export function clippedWordsOf(word: string): string[] {
  return ownValue(CLIPPED_WORDS, word) ?? [];
}

/**
 * The question as it would be asked in plain words: mentions, links and emoji codes out, chat abbreviations
 * spelled out, greetings and thanks at either end dropped. The asker's own words are kept otherwise.
 */
export function plainQuestion(text: string): string {
  const cleaned = expandContractions(text)
    .replace(LINK, ' ')
    .replace(MENTION, '$1 ')
    .replace(/:[a-z0-9_]+:/gi, ' ');
  // Phrases are read before the words are spelled out ("w/" is not "with/") and after ("wats the deal w …").
  const phrased = (text: string) =>
    CHAT_PHRASES.reduce((result, [phrase, plain]) => result.replace(phrase, plain), text);
  const expanded = phrased(
    phrased(cleaned).replace(/[\p{L}\p{N}]+/gu, (word) => {
      return ownValue(CHAT_WORDS, word.toLowerCase()) ?? word;
    }),
  );
  // Each pattern keeps what stood before the greeting or thanks (its one group).
  const unaddressed = ADDRESSED.reduce((text, phrase) => text.replace(phrase, '$1 '), expanded);
  const unwrapped = REQUEST_PHRASES.reduce((text, phrase) => text.replace(phrase, ' '), unaddressed);
  // Drop greetings and thanks at the ends ("hey bot, quick question: … thanks!"), up to the first real word.
  const tokens = unwrapped.split(/(\s+)/);
  const isFiller = (token: string) => {
    const word = token.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
    return word === '' || CONVERSATION_WORDS.has(word);
  };
  let start = 0;
  let end = tokens.length;
  while (start < end && isFiller(tokens[start] ?? '')) start++;
  while (end > start && isFiller(tokens[end - 1] ?? '')) end--;
  const core = tokens.slice(start, end).join('').replace(/\s+/g, ' ').trim();
  // Keep a trailing question mark the asker wrote; strip the punctuation the dropped words left at either end.
  const result = core.replace(/^[^\p{L}\p{N}]+/u, '').replace(/[\s,;:–—-]+$/u, '');
  return result === '' ? text.trim() : result;
}
