import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  calibrationFrom,
  denseRange,
  confidentThreshold,
  nullShareBelow,
  quantile,
  stretch,
  thresholdFromNull,
  MIXED_BELOW,
  OFF_TOPIC_RATE,
  refusalThreshold,
  type Calibration,
  type IndexCalibration,
} from '../src/answering/calibration.js';
import { leaveOneOut } from '../src/evaluation/cross-validation.js';
import {
  answerArticlesNotIndexed,
  hitRank,
  normalizeForMatch,
  notIndexedLine,
  onCorpus,
  parseQuestionFile,
  scoreResults,
} from '../src/evaluation/evaluate.js';
import type { Answer, AnswerPassage } from '../src/answering/answer.js';
import { rerankWindow } from '../src/answering/rerank.js';
import { nullQuestionsOf } from '../src/answering/calibrate-index.js';
import { OFF_TOPIC_QUESTIONS } from '../src/answering/null-questions.js';
import { citationText, markBestSentence, paragraphLabel } from '../src/present/answer-text.js';
import { reciprocalRankFusion } from '../src/retrieval/fusion.js';
import { lexicalIndexOf } from './helpers/lexical.js';
import {
  analyseQuestion,
  oneEditAway,
  termCoverage,
  unknownNames,
  type Vocabulary,
} from '../src/retrieval/query-terms.js';
import { validateQuestion } from '../src/answering/question.js';
import { bestSentence, decideAbstention, diversify, orderCandidates, relevanceOf } from '../src/answering/rank.js';
import type { CandidateSignals } from '../src/retrieval/search.js';
import { UserError } from '../src/shared/errors.js';
import { terms } from '../src/text/terms.js';
import { withTypos } from '../src/evaluation/typos.js';

const calibration: Calibration = {
  denseFloor: 0.2,
  denseCeiling: 0.8,
  minRelevance: 0.4,
  confidentRelevance: 0.6,
  thresholdSource: 'test',
};
const signals = (overrides: Partial<CandidateSignals> = {}): CandidateSignals => ({
  label: 0,
  dense: 0.5,
  articleDense: 0.5,
  denseRank: 1,
  lexical: 1,
  lexicalRank: 1,
  fused: 0.03,
  coverage: 0.5,
  sentenceCoverage: 0.5,
  sentenceIndex: 0,
  rerank: undefined,
  ...overrides,
});
const close = (actual: number, expected: number) =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} ≠ ${expected}`);

describe('reciprocalRankFusion', () => {
  it('scores 1/(k+rank) per list and ranks an item found by both retrievers above items found by one', () => {
    const fused = reciprocalRankFusion([
      [1, 2, 3],
      [3, 4, 1],
    ]);
    assert.equal(fused.get(2), 1 / 62);
    assert.equal(fused.get(1), 1 / 61 + 1 / 63);
    const order = [...fused.entries()].sort((a, b) => b[1] - a[1]).map(([label]) => label);
    assert.deepEqual(order.slice(0, 2), [1, 3]);
    assert.ok((fused.get(3) ?? 0) > (fused.get(2) ?? 0));
  });
});

describe('relevance and abstaining', () => {
  const weights = { denseWeight: 0.2, articleWeight: 0.1, passageShare: 0.25 };

  it("mixes best-sentence coverage, passage coverage, the stretched dense cosine and the article's best by the weights", () => {
    close(stretch(0.5, 0.2, 0.8), 0.5);
    close(
      relevanceOf(signals({ sentenceCoverage: 1, coverage: 1, dense: 0.8, articleDense: 0.8 }), calibration, weights),
      1,
    );
    close(
      relevanceOf(signals({ sentenceCoverage: 0, coverage: 0, dense: 0.1, articleDense: 0.1 }), calibration, weights),
      0,
    );
    // 0.7 × (0.75 × 1 + 0.25 × 0) + 0.2 × 0.5 + 0.1 × 1 (the article's best passage is a clear match)
    close(
      relevanceOf(signals({ sentenceCoverage: 1, coverage: 0, dense: 0.5, articleDense: 0.8 }), calibration, weights),
      0.725,
    );
    // The passage's share: a passage covering everything only across sentences scores below one that does in one.
    assert.ok(
      relevanceOf(signals({ sentenceCoverage: 0.5, coverage: 1 }), calibration, weights) <
        relevanceOf(signals({ sentenceCoverage: 1, coverage: 1 }), calibration, weights),
    );
  });

  it('uses the cross-encoder probability in place of the cosine when a re-ranker ran', () => {
    close(
      relevanceOf(signals({ sentenceCoverage: 0, coverage: 0, dense: 0.8, rerank: 0 }), calibration, weights),
      0.15,
    );
  });

  it('orders by re-ranker score first, then relevance plus the fused rank', () => {
    const best = 2 / 61;
    const scored = [
      { ...signals({ label: 1, fused: best }), relevance: 0.55 },
      { ...signals({ label: 2, fused: 0 }), relevance: 0.62 },
      { ...signals({ label: 3, rerank: -2 }), relevance: 0.1 },
      { ...signals({ label: 4, rerank: 3 }), relevance: 0.1 },
      { ...signals({ label: 5, fused: best / 2 }), relevance: 0.5 },
    ];
    // With FUSION_WEIGHT 0.1 — 1: 0.55 + 0.1; 2: 0.62; 5: 0.5 + 0.05
    assert.deepEqual(
      orderCandidates(scored).map((candidate) => candidate.label),
      [4, 3, 1, 2, 5],
    );
  });

  it('grades an answer: refused below the refusal threshold, closest below the confident one, else confident', () => {
    const low = decideAbstention([{ ...signals(), relevance: 0.2 }], calibration);
    assert.equal(low.abstained, true);
    assert.match(low.reason, /0\.20, below the threshold 0\.40/);
    const middle = decideAbstention([{ ...signals(), relevance: 0.41 }], calibration);
    assert.deepEqual([middle.abstained, middle.closest], [false, true]);
    const high = decideAbstention([{ ...signals(), relevance: 0.6 }], calibration);
    assert.deepEqual([high.abstained, high.closest], [false, false]);
    assert.equal(decideAbstention([], calibration).abstained, true);
  });

  it('quotes only as closest when the cross-encoder rates every candidate unlikely, however high the relevance', () => {
    const decision = decideAbstention([{ ...signals({ rerank: -1 }), relevance: 0.9 }], calibration);
    assert.deepEqual([decision.abstained, decision.closest], [false, true]);
    assert.match(decision.reason, /cross-encoder/);
    assert.equal(decideAbstention([{ ...signals({ rerank: 1 }), relevance: 0.9 }], calibration).closest, false);
  });
});

describe('calibration', () => {
  // 21 off-topic questions at 0–0.5; 80 made from the corpus at 0.21–1, of two kinds: 60 mixed (0.21–0.8)
  // and 20 on-topic (0.81–1), as on-topic questions, which hold an article's own words, score highest.
  const offTopic = Array.from({ length: 21 }, (_, i) => i / 40);
  const made = Array.from({ length: 80 }, (_, i) => Math.round(21 + i) / 100);
  const measured: IndexCalibration = {
    denseFloor: 0.5,
    denseCeiling: 0.9,
    nullRelevances: [...offTopic, ...made].sort((a, b) => a - b),
    offTopicRelevances: offTopic,
    nullFamilies: { nearTopic: [], mixed: made.slice(0, 60), onTopic: made.slice(60) },
    offTopicQuestions: 21,
    nearTopicQuestions: 80,
  };

  it('refuses below the lower of what most off-topic questions and nearly all mixed ones reach', () => {
    // A varied archive: off-topic questions reach up to 0.5, the mixed ones' low tail (0.21…) is lower.
    close(thresholdFromNull(offTopic, OFF_TOPIC_RATE), 0.45);
    close(refusalThreshold(measured), quantile(made.slice(0, 60), MIXED_BELOW));
    // A corpus of one subject: off-topic questions stay far below the mixed ones and set it.
    const focused = { ...measured, offTopicRelevances: offTopic.map((value) => value / 5) };
    close(refusalThreshold(focused), 0.09);
    // An index measured before the kinds were kept apart: off-topic alone.
    close(refusalThreshold({ offTopicRelevances: offTopic }), 0.45);
  });

  it("leaves out of a null question's search only the article that answers it: none for a mixed question", () => {
    const samples = [
      { label: 1, articleId: 'a', sentence: 'Danny Okafor scored twice for Ashworth United on Saturday afternoon.' },
      { label: 2, articleId: 'b', sentence: 'The company employs four hundred people at its plant near Cork.' },
    ];
    const questions = nullQuestionsOf(samples);
    const madeQuestions = questions.slice(OFF_TOPIC_QUESTIONS.length);
    const nearTopic = madeQuestions.filter((entry) => entry.excluded !== undefined);
    const mixed = madeQuestions.filter((entry) => entry.excluded === undefined);
    assert.deepEqual(
      nearTopic.map((entry) => entry.excluded?.articleId),
      ['a', 'b'],
    );
    // A subject from one article with a fact from the other: neither answers it, so both stay searchable.
    assert.deepEqual(
      mixed.map((entry) => entry.question),
      ['danny okafor employs four hundred?', 'company employs okafor scored twice?'],
    );
  });

  it('makes each null question once, however many articles repeat the sentence it comes from', () => {
    const sentence = 'Danny Okafor scored twice for Ashworth United on Saturday afternoon.';
    const copies = ['a', 'b', 'c'].map((articleId, i) => ({ label: i, articleId, sentence }));
    // Each article holds the other's subject, so no mixed question is made of them.
    const checks = { articleHolds: () => true, passageAnswers: () => false };
    const made = nullQuestionsOf(copies, checks).slice(OFF_TOPIC_QUESTIONS.length);
    assert.deepEqual(
      made.map((entry) => entry.question),
      ['okafor scored twice ashworth united?'],
    );
  });

  it('asks of an article what none of its passages holds: its subject with words from another passage of it', () => {
    const sample = {
      label: 1,
      articleId: 'a',
      sentence: 'Dunleary Group bought the department store chain for an undisclosed sum.',
      siblingSentences: [
        'The chain employs three thousand people across Ireland and Scotland today.',
        'Its pension scheme had a deficit of about one hundred million pounds last year.',
      ],
    };
    const onTopic = (checks?: Parameters<typeof nullQuestionsOf>[1]) =>
      nullQuestionsOf([sample], checks)
        .slice(OFF_TOPIC_QUESTIONS.length)
        .filter((entry) => entry.excluded === undefined)
        .map((entry) => entry.question);
    // One question with each other passage.
    assert.deepEqual(onTopic(), ['dunleary group bought three thousand?', 'dunleary group bought deficit one?']);
    // A passage that holds all of its terms may answer it: then it is no null question.
    assert.deepEqual(onTopic({ articleHolds: () => false, passageAnswers: () => true }), []);
  });

  it('takes the dense range from the medians of off-topic questions’ nearest cosines and self-matches, never a collapsed one', () => {
    assert.deepEqual(denseRange([0.4, 0.5, 0.9], [0.8, 0.95, 0.7]), { denseFloor: 0.5, denseCeiling: 0.8 });
    assert.deepEqual(denseRange([0.9, 0.9], [0.9]), { denseFloor: 0.9, denseCeiling: 0.9500000000000001 });
    assert.deepEqual(denseRange([], []), { denseFloor: 0, denseCeiling: 1 });
  });

  it('is confident above what only FALSE_ANSWER_RATE of null questions reach, and refuses below most off-topic ones', () => {
    close(quantile([0, 1, 2, 3], 0.5), 1.5);
    close(thresholdFromNull(made, 0.1), 0.921);
    close(thresholdFromNull(made, 0.25), 0.8025);
    close(nullShareBelow(measured.nullRelevances, 0.3), 21 / 101);
    // The kind that reaches highest sets it: 10% of the on-topic questions reach 0.981. Pooled with the mixed
    // ones, 10% of all would be 0.921 (and 0.9 with the off-topic ones): a quarter of the on-topic ones past.
    close(confidentThreshold(measured, 0.1), 0.981);
    close(confidentThreshold({ nullRelevances: measured.nullRelevances }, 0.1), 0.9);
    const inUse = calibrationFrom(measured, { minRelevance: undefined, falseAnswerRate: 0.1 });
    close(inUse.confidentRelevance, 0.981);
    close(inUse.minRelevance, refusalThreshold(measured));
    assert.ok(inUse.minRelevance < inUse.confidentRelevance);
    assert.match(inUse.thresholdSource, /reached by at most 10% of each kind of question made from the corpus/);
    assert.match(inUse.nullPercentile?.(0.95) ?? '', /above 94% of 101/);
    assert.equal(inUse.denseFloor, 0.5);
  });

  it('lets MIN_RELEVANCE override the calibrated threshold, keeping the measured dense range', () => {
    const inUse = calibrationFrom(measured, { minRelevance: 0.3, falseAnswerRate: 0.1 });
    assert.equal(inUse.minRelevance, 0.3);
    close(inUse.confidentRelevance, 0.981);
    assert.equal(inUse.thresholdSource, 'MIN_RELEVANCE setting');
    assert.equal(inUse.denseCeiling, 0.9);
  });
});

describe('leaveOneOut', () => {
  it('scores each question with the setting chosen on the others, exposing a setting fitted to one question', () => {
    // "a" and "b" tie on all four questions, but on held-out ones each round's winner is the setting that the
    // other three favour, and it is wrong half the time: fitting the whole set claims 0.75, held out gives 0.5.
    const table: Record<string, number[]> = { a: [1, 1, 0, 1], b: [1, 0, 1, 1], c: [0, 0, 1, 0] };
    const result = leaveOneOut(['a', 'b', 'c'], 4, (setting, q) => table[setting]?.[q] ?? 0);
    assert.equal(result.fitted, 0.75);
    assert.equal(result.best, 'a');
    assert.equal(result.heldOut, 0.5);
    assert.equal(result.chosen.get('a'), 3);
    assert.equal(result.chosen.get('b'), 1);
    assert.throws(() => leaveOneOut([], 1, () => 0));
  });
});

describe('question terms', () => {
  const vocabulary = (known: Record<string, number>, acronyms: string[] = []): Vocabulary => ({
    documentFrequency: (term) => known[term] ?? 0,
    idfOf: (df) => Math.log(1 + (100 - df + 0.5) / (df + 0.5)),
    isAcronym: (term) => acronyms.includes(term),
    termsStartingWith: (prefix) => Object.keys(known).filter((term) => term.startsWith(prefix) && term !== prefix),
  });

  it('weights terms by idf, matches stems and irregular forms, and drops stop and framing words', () => {
    assert.deepEqual(terms('Why did the doctor resign on television?'), ['doctor', 'resign', 'televis']);
    assert.deepEqual(terms('Doctors kept it, the men said.'), ['doctor', 'keep', 'man']);
    assert.deepEqual(terms('What does the author think, according to the article?'), []);
    assert.deepEqual(terms('What did the columnist write in her piece, the story on the blog?'), []);
    // Inflections of stop words are stop words too, or they count as rare terms against every answer; so are
    // "something", "anyone", and "happen" ("what happened to …"), which only frames a question.
    assert.deepEqual(terms('What happened to something anyone said?'), []);
    assert.deepEqual(terms('Hunt gets more stubborn, having others making and taking what comes'), [
      'hunt',
      'stubborn',
    ]);
    // The Snowball list's pronouns and particles, which the stopword package's list lacks.
    assert.deepEqual(terms('Did she say its prices will not go down again?'), ['price', 'go']);
    // A possessive is the word it is on: "NHS's" must meet "NHS", not become "nhss".
    assert.deepEqual(terms("The NHS's plan, Hunt’s letter"), terms('The NHS plan, Hunt letter'));
    const question = analyseQuestion('Why did the doctor resign?', vocabulary({ doctor: 50, resign: 2 }));
    assert.deepEqual(
      question.map((term) => term.term),
      ['doctor', 'resign'],
    );
    assert.ok((question[1]?.weight ?? 0) > (question[0]?.weight ?? 0));
    close(
      termCoverage(question, new Set(['resign'])),
      (question[1]?.weight ?? 0) / ((question[0]?.weight ?? 0) + (question[1]?.weight ?? 0)),
    );
    assert.equal(termCoverage([], new Set(['anything'])), 0);
  });

  it('counts a corpus acronym as the words that spell it', () => {
    const question = analyseQuestion(
      'Has the Trades Union Congress backed it?',
      vocabulary({ tuc: 3, union: 9 }, ['tuc']),
    );
    const forms = Object.fromEntries(question.map((term) => [term.term, term.forms]));
    assert.deepEqual(forms, {
      trade: ['trade', 'tuc'],
      union: ['union', 'tuc'],
      congress: ['congress', 'tuc'],
      back: ['back'],
    });
    assert.equal(termCoverage(question, new Set(['tuc', 'back'])), 1);
    // A word of the acronym's phrase one edit from a stop word ("abot": "about") spells the acronym: it is a
    // misspelt stop word only when no form of it, the acronym included, is in the corpus.
    const misspelt = analyseQuestion('has the trades abot congress backed it', vocabulary({ tac: 3 }, ['tac']));
    assert.deepEqual(
      misspelt.map((term) => term.forms),
      [['trade', 'tac'], ['abot', 'tac'], ['congress', 'tac'], ['back']],
    );
    // A lesser stop word ("against", "down") is a word of the name, not a break in it.
    const campaign = analyseQuestion('what did the campaign against arms trade say', vocabulary({ caat: 3 }, ['caat']));
    assert.deepEqual(
      campaign.map((term) => term.forms),
      [
        ['campaign', 'caat'],
        ['arm', 'caat'],
        ['trade', 'caat'],
      ],
    );
    // Stop words do not spell acronyms ("many people" is not "MP"), and two letters are too few to trust.
    const noAcronym = analyseQuestion('How many people came?', vocabulary({ mp: 3 }, ['mp']));
    assert.ok(noAcronym.every((term) => term.forms.length === 1));
  });

  it('matches a question term no passage holds to a corpus term differing by a derivational ending only', () => {
    const known = { percent: 4, triall: 1, capitul: 2 };
    const forms = (question: string) => analyseQuestion(question, vocabulary(known)).flatMap((term) => term.forms);
    assert.deepEqual(forms('What percentage?'), ['percentag', 'percent']);
    assert.deepEqual(forms('A trial run?'), ['trial', 'triall', 'run']);
    // "capital" is not "capitulate": the difference is no derivational ending.
    assert.deepEqual(forms('The capital?'), ['capit']);
  });
});

describe('unknownNames', () => {
  const index = lexicalIndexOf([
    { label: 1, text: 'Jeremy Hunt wrote to the doctors about the novel contract.' },
    { label: 2, text: 'The BMA said nurses backed the strike in Leeds.' },
  ]);
  const namesIn = (question: string) => unknownNames(question, analyseQuestion(question, index), index);

  it('finds the names a question asks about that no passage mentions, whatever else matches', () => {
    assert.deepEqual(namesIn('Who wrote the novel Middlemarch?'), ['Middlemarch']);
    assert.deepEqual(namesIn("What did Hunt tell Lansley's team?"), ['Lansley']);
    assert.deepEqual(namesIn('Did Zoë Ball back the strike?'), ['Zoë']);
    assert.deepEqual(namesIn('Did Zoe\u0308 Ball back the strike?'), ['Zoe\u0308']);
  });

  it('leaves alone names the corpus holds, English words, acronyms, typos, lower case and the first word', () => {
    assert.deepEqual(namesIn('What did Jeremy Hunt write to the doctors?'), []);
    assert.deepEqual(namesIn('Did the Nurses in Leeds Strike?'), []);
    assert.deepEqual(namesIn('What did the BMA and the RCN say?'), []);
    assert.deepEqual(namesIn('Did the nurses in Leds back it?'), []);
    assert.deepEqual(namesIn('who wrote middlemarch'), []);
    assert.deepEqual(namesIn('Middlemarch: who wrote it?'), []);
  });

  it('makes the bot refuse, naming them', () => {
    const decision = decideAbstention([{ ...signals(), relevance: 0.9 }], calibration, ['Middlemarch']);
    assert.equal(decision.abstained, true);
    assert.match(decision.reason, /"Middlemarch", which no article mentions/);
  });
});

describe('LexicalIndex', () => {
  const documents = (count: number) =>
    Array.from({ length: count }, (_, label) => ({
      label,
      text: `Junior doctors on strike, report ${label}.${label === 7 ? ' Cameron Panting spoke.' : ''}${label % 2 ? ' Nurses joined.' : ''}${label === 9 ? ' The BMA met.' : ''}`,
    }));

  it('ranks by BM25 over stemmed terms and knows the corpus acronyms and vocabulary', () => {
    const index = lexicalIndexOf(documents(20));
    assert.equal(index.query(analyseQuestion('Who is Cameron Panting?', index), 5)[0]?.label, 7);
    assert.ok(index.idf('pant') > index.idf('doctor'));
    assert.equal(index.isAcronym('bma'), true);
    assert.equal(index.isAcronym('junior'), false);
    // The term itself is not a variant of itself.
    assert.deepEqual(index.termsStartingWith('nurs'), []);
    assert.deepEqual(index.termsStartingWith('repor'), ['report']);
  });

  it('leaves terms found in most passages of a large corpus out of the search, keeping the rare ones', () => {
    const index = lexicalIndexOf(documents(3000));
    const question = analyseQuestion('Did junior doctors hear Cameron Panting?', index);
    assert.deepEqual(index.searchTerms(question), ['hear', 'cameron', 'pant']);
    assert.equal(index.query(question, 3)[0]?.label, 7);
    // Only common terms: the two rarest are kept, so the question still finds passages.
    assert.deepEqual(index.searchTerms(analyseQuestion('nurses junior doctors strike', index)), ['nurs', 'junior']);
  });

  it('searches every term of a small corpus, and can leave one article out', () => {
    const index = lexicalIndexOf(documents(50));
    const question = analyseQuestion('Did junior doctors hear Cameron Panting?', index);
    assert.deepEqual(index.searchTerms(question), ['junior', 'doctor', 'hear', 'cameron', 'pant']);
    assert.ok(index.query(question, 50).some((hit) => hit.label === 7));
    assert.ok(index.query(question, 50, 'a7').every((hit) => hit.label !== 7));
  });
});

describe('diversify', () => {
  const item = (label: number, articleId: string, text: string) => ({ label, articleId, text });

  it('quotes a syndicated copy once, citing the other article as a copy', () => {
    const text = 'Thousands of junior doctors marched from St Thomas’ hospital to Downing Street on Tuesday.';
    const result = diversify([item(1, 'a', text), item(2, 'b', `${text} `), item(3, 'c', 'Something else entirely.')]);
    assert.deepEqual(
      result.map((entry) => [entry.label, entry.copies.map((copy) => copy.label)]),
      [
        [1, [2]],
        [3, []],
      ],
    );
  });

  it('keeps the ranked order of one article by default, and can let another article move ahead', () => {
    const ranked = [
      item(1, 'a', 'first answer from a'),
      item(2, 'a', 'second passage from a'),
      item(3, 'a', 'third passage from a'),
      item(4, 'b', 'an answer from b'),
    ];
    assert.deepEqual(
      diversify(ranked).map((entry) => entry.label),
      [1, 2, 3, 4],
    );
    const result = diversify(ranked, { nearDuplicate: 0.8, sameArticlePenalty: 0.7 });

    assert.deepEqual(
      result.map((entry) => entry.label),
      [1, 4, 2, 3],
    );
  });
});

describe('bestSentence', () => {
  const text = 'The march was large. Nearly 80 percent of junior doctors walked out on both days. It was cold.';
  const vocabulary = lexicalIndexOf([{ label: 0, text }]);
  it('picks the sentence holding most of the question’s weighted terms', () => {
    const { sentence, coverage } = bestSentence(
      text,
      analyseQuestion('How many junior doctors walked out?', vocabulary),
    );
    assert.equal(sentence.text, 'Nearly 80 percent of junior doctors walked out on both days.');
    assert.equal(text.slice(sentence.start, sentence.end), sentence.text);
    assert.equal(coverage, 1);
  });
  it('prefers, between sentences covering as much, the one holding the terms in the question’s order', () => {
    const passage = 'They withdrew emergency cover. In fact the consultants covered for emergencies.';
    const question = analyseQuestion('Who covered emergencies?', lexicalIndexOf([{ label: 0, text: passage }]));
    assert.equal(bestSentence(passage, question).sentence.text, 'In fact the consultants covered for emergencies.');
  });

  it('lets semantic similarity decide when no sentence shares a term with the question', () => {
    const question = analyseQuestion('temperature?', vocabulary);
    assert.equal(bestSentence(text, question).sentence.text, 'The march was large.');
    assert.equal(bestSentence(text, question, [0.1, 0.2, 0.9]).sentence.text, 'It was cold.');
  });
});

describe('validateQuestion', () => {
  const refuses = (question: string, pattern: RegExp) =>
    assert.throws(
      () => validateQuestion(question),
      (error: unknown) => error instanceof UserError && pattern.test(error.message),
    );

  it('refuses empty, too long, wordless and non-English questions with a specific message', () => {
    refuses('', /The question is empty/);
    refuses('   \n\t ', /The question is empty/);
    refuses('why '.repeat(200), /is 799 characters long; the limit is 500/);
    refuses('?!?! ...', /no words in it, only punctuation or emoji/);
    refuses('🤔🤔🔥', /no words in it, only punctuation or emoji/);
    refuses('Почему врачи бастуют?', /Please ask in English/);
    refuses('Pourquoi les médecins sont-ils en grève ?', /Please ask in English/);
    refuses('¿Por qué los médicos están en huelga?', /Please ask in English/);
    refuses('wat zegt hij over de staking', /Please ask in English/);
  });

  it('accepts English questions, collapsing white space, including ones with accented names', () => {
    assert.equal(validateQuestion('  Who is   Tomáš Tengely-Evans?\n'), 'Who is Tomáš Tengely-Evans?');
    assert.equal(validateQuestion('NHS?'), 'NHS?');
    // Chat spellings that are also Dutch or German words ("wat", "n", "u") are no sign of another language.
    for (const casual of [
      'wat does teh writer say teh govt owes current n future generations',
      'wat does panting reckon will happen in teh end',
      'the docs said wat about u n ur mates',
    ])
      assert.equal(validateQuestion(casual), casual);
  });
});

describe('questions with typos', () => {
  it('misspells N longer words of a question by one slip each, the same way on every run', () => {
    const question = 'How many junior doctors voted in favour of industrial action?';
    const typed = withTypos(question, 2, 'dev01');
    assert.equal(withTypos(question, 2, 'dev01'), typed);
    assert.ok(typed.endsWith('?'));
    const before = question.split(' ');
    const after = typed.split(' ');
    assert.equal(after.length, before.length);
    const changed = before.flatMap((word, i) => (word === after[i] ? [] : [[word, after[i] ?? '']]));
    assert.equal(changed.length, 2);
    for (const [word, slipped] of changed) {
      assert.ok((word ?? '').replace('?', '').length >= 5, `${word} is a longer word`);
      assert.ok(oneEditAway((word ?? '').replace('?', '')).includes((slipped ?? '').replace('?', '')), slipped);
    }
    assert.equal(withTypos('why did hunt quit', 2, 'x'), 'why did hunt quit');
    assert.equal(withTypos(question, 0, 'dev01'), question);
  });
});

describe('evaluation scoring', () => {
  it('normalises quotes, case and white space before matching', () => {
    assert.equal(normalizeForMatch('St Thomas’  Hospital\n“Full walkout”'), 'st thomas\' hospital "full walkout"');
  });

  it('finds the rank of the first passage that answers, within five, and none when abstained', () => {
    const passage = (text: string) => ({ text }) as AnswerPassage;
    const answer = {
      abstained: false,
      passages: ['a', 'b', 'the PCS and FBU unions called', 'd'].map(passage),
    } as Answer;
    const question = { id: 'q', question: 'q', containsAny: ['pcs and fbu UNIONS'] };
    assert.equal(hitRank(question, answer), 3);
    assert.equal(hitRank(question, { ...answer, abstained: true }), null);
    assert.equal(hitRank({ ...question, containsAny: ['missing'] }, answer), null);
  });

  it('computes hit@1, hit@3, MRR@5 and abstention counts', () => {
    const report = scoreResults([
      { id: '1', question: '', answerable: true, hitRank: 1, abstained: false, closest: false },
      { id: '2', question: '', answerable: true, hitRank: 2, abstained: false, closest: true },
      { id: '3', question: '', answerable: true, hitRank: null, abstained: true, closest: false },
      { id: '4', question: '', answerable: true, hitRank: 4, abstained: false, closest: false },
      { id: '5', question: '', answerable: false, hitRank: null, abstained: true, closest: false },
      { id: '6', question: '', answerable: false, hitRank: null, abstained: false, closest: true },
    ]);
    assert.deepEqual(
      [report.quotedRight, report.answerableConfident, report.answerableClosest, report.unanswerableClosest],
      [2, 2, 1, 1],
    );
    assert.equal(report.unanswerableConfident, 0);
    assert.equal(report.hit1, 0.25);
    assert.equal(report.hit3, 0.5);
    assert.equal(report.mrr5, Math.round(((1 + 1 / 2 + 1 / 4) / 4) * 1000) / 1000);
    assert.equal(report.falseAbstentions, 1);
    assert.equal(report.correctAbstentions, 1);
    assert.equal(report.unanswerable, 2);
  });

  it('rejects a malformed question file, naming each bad line', () => {
    assert.throws(
      () =>
        parseQuestionFile(
          '{"question": "ok", "expect": "none"}\nnot json\n{"question": ""}\n{"question": "x"}\n',
          'q.jsonl',
        ),
      (error: unknown) =>
        error instanceof UserError &&
        /q\.jsonl:2: not valid JSON/.test(error.message) &&
        /q\.jsonl:3: needs a non-empty "question"/.test(error.message) &&
        /q\.jsonl:4: needs "contains_any"/.test(error.message),
    );
    assert.throws(() => parseQuestionFile('\n\n', 'empty.jsonl'), /holds no questions/);
    for (const answeredIn of ['{"a.txt": []}', '{}', '["a.txt"]', '{"a.txt": "238 trusts"}'])
      assert.throws(
        () => parseQuestionFile(`{"question": "x", "expect": "none", "answered_in": ${answeredIn}}`, 'q.jsonl'),
        /q\.jsonl:1: "answered_in" maps article paths \(relative to CORPUS_DIR\) to non-empty lists of strings/,
        answeredIn,
      );
    assert.throws(
      () => parseQuestionFile('{"question": "x", "contains_any": ["y"], "answered_in": {"a.txt": ["y"]}}', 'q.jsonl'),
      /q\.jsonl:1: "answered_in" belongs to an "expect": "none" question, not one with "contains_any"/,
    );
  });

  it('counts a question the seed corpus cannot answer as answerable on an index holding an article that can', () => {
    const [question] = parseQuestionFile(
      '{"id": "n1", "question": "How many NHS trusts are there?", "expect": "none", "answered_in": {"a053.txt": ["238 trusts"]}}',
      'q.jsonl',
    );
    assert.ok(question);
    assert.equal(onCorpus(question, new Set(['seed.txt'])).containsAny, undefined);
    assert.deepEqual(onCorpus(question, new Set(['seed.txt', 'a053.txt'])).containsAny, ['238 trusts']);
  });

  it('names the answered_in articles the index does not hold, with their questions, so a misspelt path shows', () => {
    const questions = parseQuestionFile(
      [
        '{"id": "n1", "question": "How many NHS trusts are there?", "expect": "none", "answered_in": {"archive/a053.txt": ["238 trusts"], "seed.txt": ["trusts"]}}',
        '{"id": "n2", "question": "How many trusts are in deficit?", "expect": "none", "answered_in": {"archive/a053.txt": ["deficit"]}}',
        '{"id": "n3", "question": "Who won Wimbledon?", "expect": "none"}',
      ].join('\n'),
      'q.jsonl',
    );
    const missing = answerArticlesNotIndexed(questions, new Set(['seed.txt', 'a053.txt']));
    assert.deepEqual([...missing], [['archive/a053.txt', ['n1', 'n2']]]);
    assert.equal(
      notIndexedLine(missing),
      '"answered_in" names 1 article this index does not hold, so those questions count as unanswerable here: archive/a053.txt (n1, n2)',
    );
    assert.equal(
      notIndexedLine(answerArticlesNotIndexed(questions, new Set(['seed.txt', 'archive/a053.txt']))),
      undefined,
    );
  });
});

describe('citation text', () => {
  it('names title, author, publication, date and paragraphs, leaving out what is unknown', () => {
    const citation = { articleId: 'a.txt', title: 'Title', paragraphStart: 3, paragraphEnd: 3 };
    assert.equal(citationText(citation), 'Title, paragraph 3');
    assert.equal(
      citationText({
        ...citation,
        author: 'Ann Author',
        publication: 'The Paper',
        date: '2016-04-27',
        paragraphEnd: 5,
      }),
      'Title — Ann Author, The Paper, 2016-04-27, paragraphs 3–5',
    );
    assert.equal(
      paragraphLabel({ paragraphStart: 2, paragraphEnd: 2, part: { index: 1, of: 2 } }),
      'paragraph 2 (part 1 of 2)',
    );
  });

  it('marks the best sentence without changing any other character', () => {
    const text = 'One. Two is best. Three.';
    const marked = markBestSentence(
      { text, bestSentence: { text: 'Two is best.', start: 5, end: 17 } },
      (s) => `[${s}]`,
    );
    assert.equal(marked, 'One. [Two is best.] Three.');
  });
});

describe('rerankWindow', () => {
  it('gives the cross-encoder the best sentence and the ones around it, within the limit, verbatim', () => {
    const sentences = Array.from({ length: 10 }, (_, i) => `Sentence number ${i} says something about the strike.`);
    const text = sentences.join(' ');
    const window = rerankWindow(text, 5, 160);
    assert.ok(window.includes('Sentence number 5'));
    assert.ok(window.length <= 160);
    assert.ok(text.includes(window));
    assert.match(window, /Sentence number 4 .*Sentence number 5 .*Sentence number 6/);
    assert.equal(rerankWindow('Short passage.', 0, 160), 'Short passage.');
  });
});
