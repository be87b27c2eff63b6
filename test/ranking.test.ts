import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { calibrationFor, stretch } from '../src/answering/calibration.js';
import { hitRank, normalizeForMatch, parseQuestionFile, scoreResults } from '../src/answering/evaluate.js';
import type { Answer, AnswerPassage } from '../src/answering/engine.js';
import { citationText, markBestSentence, paragraphLabel } from '../src/answering/format-text.js';
import { reciprocalRankFusion } from '../src/answering/fusion.js';
import { LexicalIndex, coverage } from '../src/answering/lexical.js';
import { validateQuestion } from '../src/answering/question.js';
import {
  bestSentence,
  decideAbstention,
  diversify,
  orderCandidates,
  relevanceOf,
  type CandidateSignals,
} from '../src/answering/rank.js';
import { UserError } from '../src/shared/errors.js';
import { terms } from '../src/text/terms.js';

const calibration = { denseFloor: 0.2, denseCeiling: 0.8, minRelevance: 0.4 };
const signals = (overrides: Partial<CandidateSignals> = {}): CandidateSignals => ({
  label: 0,
  dense: 0.5,
  sentence: undefined,
  denseRank: 1,
  lexical: 1,
  lexicalRank: 1,
  fused: 0.03,
  coverage: 0.5,
  rerank: undefined,
  ...overrides,
});

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
  it('is half coverage, half the stretched better of passage and sentence cosine', () => {
    const close = (actual: number, expected: number) =>
      assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} ≠ ${expected}`);
    close(stretch(0.5, 0.2, 0.8), 0.5);
    close(relevanceOf(signals({ coverage: 1, dense: 0.8 }), calibration), 1);
    close(relevanceOf(signals({ coverage: 0, dense: 0.1 }), calibration), 0);
    close(relevanceOf(signals({ coverage: 0, dense: 0.1, sentence: 0.8 }), calibration), 0.5);
  });

  it('uses the cross-encoder probability in place of the cosine when a re-ranker ran', () => {
    assert.equal(relevanceOf(signals({ coverage: 0, dense: 0.8, rerank: 0 }), calibration), 0.25);
  });

  it('orders by re-ranker score first, then relevance, then the fused score', () => {
    const scored = [
      { ...signals({ label: 1, fused: 0.9 }), relevance: 0.5 },
      { ...signals({ label: 2 }), relevance: 0.9 },
      { ...signals({ label: 3, rerank: -2 }), relevance: 0.1 },
      { ...signals({ label: 4, rerank: 3 }), relevance: 0.1 },
      { ...signals({ label: 5, fused: 0.1 }), relevance: 0.5 },
    ];
    assert.deepEqual(
      orderCandidates(scored).map((candidate) => candidate.label),
      [4, 3, 2, 1, 5],
    );
  });

  it('abstains when the best relevance is under the threshold, and says why', () => {
    const low = decideAbstention([{ ...signals(), relevance: 0.2 }], calibration);
    assert.equal(low.abstained, true);
    assert.match(low.reason, /0\.20, below the threshold 0\.40/);
    assert.equal(decideAbstention([{ ...signals(), relevance: 0.41 }], calibration).abstained, false);
    assert.equal(decideAbstention([], calibration).abstained, true);
  });

  it('has per-model defaults that MIN_RELEVANCE overrides', () => {
    assert.equal(calibrationFor('test-embedder', undefined).minRelevance, 0.37);
    assert.equal(calibrationFor('unknown/model', undefined).minRelevance, 0.4);
    assert.equal(calibrationFor('test-embedder', 0.6).minRelevance, 0.6);
  });
});

describe('coverage', () => {
  it('weights question terms by idf, matches stems, and ignores stop words', () => {
    const idf = (term: string) => (term === 'resign' ? 3 : 1);
    const question = terms('Why did the doctor resign on television?');
    assert.deepEqual(question, ['doctor', 'resign', 'televis']);
    assert.equal(coverage(question, 'A junior doctor resigned live on national television.', idf), 1);
    assert.equal(coverage(question, 'He resigned.', idf), 3 / 5);
    assert.equal(coverage([], 'anything', idf), 0);
  });
});

describe('LexicalIndex', () => {
  const documents = (count: number) =>
    Array.from({ length: count }, (_, label) => ({
      label,
      text: `Junior doctors on strike, report ${label}.${label === 7 ? ' Cameron Panting spoke.' : ''}${label % 2 ? ' Nurses joined.' : ''}`,
    }));

  it('ranks by BM25 over stemmed terms', () => {
    const index = new LexicalIndex(documents(20));
    assert.equal(index.query('Who is Cameron Panting?', 5)[0]?.label, 7);
    assert.ok(index.idf('pant') > index.idf('doctor'));
  });

  it('leaves words found in most passages of a large corpus out of the search, keeping the rare ones', () => {
    const index = new LexicalIndex(documents(3000));
    assert.deepEqual(index.searchWords('Did junior doctors hear Cameron Panting?'), ['hear', 'cameron', 'panting']);
    assert.equal(index.query('Did junior doctors hear Cameron Panting?', 3)[0]?.label, 7);
    // Only common words: the two rarest are kept, so the question still finds passages.
    assert.deepEqual(index.searchWords('nurses junior doctors strike'), ['nurses', 'junior']);
  });

  it('searches every word of a small corpus', () => {
    const index = new LexicalIndex(documents(50));
    assert.deepEqual(index.searchWords('Did junior doctors hear Cameron Panting?'), [
      'junior',
      'doctors',
      'hear',
      'cameron',
      'panting',
    ]);
  });
});

describe('diversify', () => {
  const item = (label: number, articleId: string, text: string) => ({ label, articleId, text });

  it('drops near-duplicates of passages already taken', () => {
    const text = 'Thousands of junior doctors marched from St Thomas’ hospital to Downing Street on Tuesday.';
    const result = diversify([item(1, 'a', text), item(2, 'b', `${text} `), item(3, 'c', 'Something else entirely.')]);
    assert.deepEqual(
      result.map((entry) => entry.label),
      [1, 3],
    );
  });

  it('lets another article that answers move ahead of a second passage from the same article', () => {
    const result = diversify([
      item(1, 'a', 'first answer from a'),
      item(2, 'a', 'second passage from a'),
      item(3, 'a', 'third passage from a'),
      item(4, 'b', 'an answer from b'),
    ]);
    assert.deepEqual(
      result.map((entry) => entry.label),
      [1, 4, 2, 3],
    );
  });
});

describe('bestSentence', () => {
  const text = 'The march was large. Nearly 80 percent of junior doctors walked out on both days. It was cold.';
  it('picks the sentence holding the question’s rarest terms', () => {
    const sentence = bestSentence(text, terms('How many junior doctors walked out?'), () => 1);
    assert.equal(sentence.text, 'Nearly 80 percent of junior doctors walked out on both days.');
    assert.equal(text.slice(sentence.start, sentence.end), sentence.text);
  });
  it('lets semantic similarity decide when no words are shared', () => {
    assert.equal(bestSentence(text, terms('temperature?'), () => 1, [0.1, 0.2, 0.9]).text, 'It was cold.');
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
  });

  it('accepts English questions, collapsing white space, including ones with accented names', () => {
    assert.equal(validateQuestion('  Who is   Tomáš Tengely-Evans?\n'), 'Who is Tomáš Tengely-Evans?');
    assert.equal(validateQuestion('NHS?'), 'NHS?');
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
      { id: '1', question: '', answerable: true, hitRank: 1, abstained: false },
      { id: '2', question: '', answerable: true, hitRank: 2, abstained: false },
      { id: '3', question: '', answerable: true, hitRank: null, abstained: true },
      { id: '4', question: '', answerable: true, hitRank: 4, abstained: false },
      { id: '5', question: '', answerable: false, hitRank: null, abstained: true },
      { id: '6', question: '', answerable: false, hitRank: null, abstained: false },
    ]);
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
