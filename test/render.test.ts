import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Answer, AnswerPassage } from '../src/answering/answer.js';
import { Cooldown } from '../src/discord/cooldown.js';
import { inertText, questionFromMessage } from '../src/discord/mentions.js';
import { payloadProblems } from './helpers/fake-discord.js';
import {
  LIMITS,
  NOT_IN_CORPUS,
  cutAtSentence,
  renderAnswer,
  renderQuote,
  renderSources,
} from '../src/discord/render.js';
import { AnswerSessions, buttonId, parseButtonId } from '../src/discord/sessions.js';
import { formatAnswerText } from '../src/present/answer-text.js';

const sentence = (i: number) => `Sentence ${i} says something about the strike and the talks that followed it.`;

function passage(rank: number, text: string, bestIndex = 0, title = 'A title'): AnswerPassage {
  const sentences = text.split(/(?<=\.) /);
  const start = sentences.slice(0, bestIndex).join(' ').length + (bestIndex > 0 ? 1 : 0);
  const best = sentences[bestIndex] ?? '';
  return {
    id: `${rank}`.padStart(16, '0'),
    rank,
    text,
    bestSentence: { text: best, start, end: start + best.length },
    citation: {
      articleId: 'a.txt',
      title,
      author: 'Ann Author',
      publication: 'The Paper',
      url: 'https://example.org/a',
      paragraphStart: rank,
      paragraphEnd: rank,
    },
    scores: {
      dense: 0,
      articleDense: 0,
      denseRank: 1,
      lexical: 1,
      lexicalRank: 1,
      fused: 0,
      coverage: 0,
      sentenceCoverage: 0,
      sentenceIndex: 0,
      rerank: undefined,
      relevance: 1,
    },
  };
}

const answerOf = (passages: AnswerPassage[], extra: Partial<Answer> = {}): Answer => ({
  question: 'What happened?',
  abstained: false,
  closest: false,
  reason: '',
  minRelevance: 0.4,
  thresholdSource: 'MIN_RELEVANCE setting',
  passages,
  hasMore: true,
  ...extra,
});

const ids = {
  more: buttonId.more('k3y', 3),
  source: ['src:k3y:0000000000000001'],
  up: buttonId.feedback('k3y', 'up'),
  down: buttonId.feedback('k3y', 'down'),
};

describe('renderAnswer', () => {
  it('renders a passage as an embed: linked title, quote with the best sentence in bold, citation footer', () => {
    const text = `${sentence(1)} ${sentence(2)}`;
    const payload = renderAnswer(answerOf([passage(1, text, 1)]), ids);
    const [embed] = payload.embeds;
    assert.equal(embed?.title, '1. A title');
    assert.equal(embed?.url, 'https://example.org/a');
    assert.equal(embed?.description, `> ${sentence(1)} **${sentence(2)}**`);
    assert.equal(embed?.footer?.text, 'Ann Author · The Paper · paragraph 1');
    assert.equal(payload.content, '**Q:** What happened?');
    assert.deepEqual(
      payload.components.flatMap((row) => row.components.map((button) => ('label' in button ? button.label : ''))),
      ['More results', '👍', '👎', 'Show source 1'],
    );
  });

  it('stays within every Discord limit for the largest answer, cutting passages at a sentence with an ellipsis', () => {
    const huge = Array.from({ length: 60 }, (_, i) => sentence(i)).join(' ');
    const longTitle = 'T'.repeat(400);
    const payload = renderAnswer(
      answerOf(
        [1, 2, 3, 4, 5].map((rank) => passage(rank, huge, 30, longTitle)),
        { question: 'q'.repeat(600) },
      ),
      {
        ...ids,
        source: [1, 2, 3, 4, 5].map((i) => buttonId.source('abcdefgh', String(i).padStart(16, '0'))),
      },
    );
    assert.deepEqual(payloadProblems(JSON.parse(JSON.stringify(payload)) as Record<string, unknown>), []);
    for (const embed of payload.embeds) {
      assert.match(embed.description ?? '', /\*\*Sentence 30 .*\.\*\*/, 'the best sentence survives the cut');
      assert.match(embed.description ?? '', /…$/);
      assert.ok((embed.title?.length ?? 0) <= LIMITS.embedTitle);
    }
  });

  it('escapes the article’s Markdown but keeps its text, including @everyone', () => {
    const text = 'Use *stars* and _underscores_ freely. Then @everyone reads it.';
    const payload = renderAnswer(answerOf([passage(1, text, 0)]), ids);
    assert.equal(
      payload.embeds[0]?.description,
      '> **Use \\*stars\\* and \\_underscores\\_ freely.** Then @everyone reads it.',
    );
  });

  it('says the corpus does not answer, with feedback buttons only, when it abstains', () => {
    const payload = renderAnswer(answerOf([], { abstained: true, hasMore: false }), ids);
    assert.match(payload.content, new RegExp(NOT_IN_CORPUS.replace(/[.*`/()]/g, '\\$&')));
    assert.deepEqual(payload.embeds, []);
    assert.equal(payload.components.flatMap((row) => row.components).length, 2);
  });

  it('names what no article mentions when it refuses for a name, on Discord and on the command line', () => {
    const refused = answerOf([], { abstained: true, hasMore: false, unknownNames: ['Middlemarch'] });
    assert.match(renderAnswer(refused, ids).content, /\nNo article mentions “Middlemarch”\.$/);
    assert.match(
      formatAnswerText(refused),
      /^Nothing in the corpus answers this\.\nNo article mentions “Middlemarch”\.\n/,
    );
    assert.doesNotMatch(renderAnswer(answerOf([], { abstained: true, hasMore: false }), ids).content, /mentions/);
  });
});

describe('cutAtSentence and renderQuote', () => {
  it('cuts at the last sentence that fits and adds an ellipsis; short text is untouched', () => {
    const text = `${sentence(1)} ${sentence(2)} ${sentence(3)}`;
    assert.equal(cutAtSentence(text, 1000), text);
    assert.equal(cutAtSentence(text, sentence(1).length + sentence(2).length + 5), `${sentence(1)} ${sentence(2)}…`);
    assert.ok(cutAtSentence('x'.repeat(500), 100).length <= 100);
  });

  it('quotes every line of a multi-paragraph passage', () => {
    const text = 'First paragraph.\n\nSecond paragraph.';
    assert.equal(
      renderQuote({ text, bestSentence: { text: 'Second paragraph.', start: 18, end: 35 } }, 500),
      '> First paragraph.\n>\n> **Second paragraph.**',
    );
  });
});

describe('renderSources', () => {
  it('lists articles within the embed limit, saying how many more there are', () => {
    const articles = Array.from({ length: 300 }, (_, i) => ({
      id: `${i}.txt`,
      title: `Article number ${i} with a fairly long headline`,
      author: 'Someone',
      paragraphCount: 10,
      passageCount: 8,
    }));
    const payload = renderSources(articles);
    assert.deepEqual(payloadProblems(JSON.parse(JSON.stringify(payload)) as Record<string, unknown>), []);
    assert.match(payload.embeds[0]?.description ?? '', /…and \d+ more\.$/);
    assert.equal(payload.embeds[0]?.title, '300 articles in the corpus');
  });
});

describe('button ids and sessions', () => {
  it('round-trips every button id and rejects malformed ones', () => {
    assert.deepEqual(parseButtonId(buttonId.more('abc', 6)), { kind: 'more', key: 'abc', offset: 6 });
    assert.deepEqual(parseButtonId(buttonId.source('abc', '0123456789abcdef')), {
      kind: 'source',
      key: 'abc',
      passageId: '0123456789abcdef',
    });
    assert.deepEqual(parseButtonId(buttonId.feedback('abc', 'down')), { kind: 'feedback', key: 'abc', vote: 'down' });
    for (const bad of ['', 'more:abc', 'more:abc:x', 'src:abc:nothex', 'fb:abc:maybe', 'other:abc:1'])
      assert.equal(parseButtonId(bad), undefined, bad);
  });

  it('keeps sessions for their lifetime and forgets them after', () => {
    let now = 0;
    const sessions = new AnswerSessions(15 * 60 * 1000, () => now);
    const key = sessions.create({ question: 'q', limit: 3, passageIds: ['a'], abstained: false });
    assert.ok(key.length <= 12);
    now = 15 * 60 * 1000;
    assert.equal(sessions.get(key)?.question, 'q');
    sessions.addShown(key, ['b', 'a']);
    assert.deepEqual(sessions.get(key)?.passageIds, ['a', 'b']);
    now += 1;
    assert.equal(sessions.get(key), undefined);
  });
});

describe('Cooldown', () => {
  it('lets a user ask once per period, says how long to wait, and keeps users apart', () => {
    let now = 0;
    const cooldown = new Cooldown(5, () => now);
    assert.equal(cooldown.take('a'), 0);
    now = 1200;
    assert.equal(cooldown.take('a'), 4);
    assert.equal(cooldown.take('b'), 0);
    now = 5000;
    assert.equal(cooldown.take('a'), 0);
    assert.equal(new Cooldown(0).take('a') + new Cooldown(0).take('a'), 0);
  });
});

describe('mentions in questions and echoes', () => {
  const resolved = {
    botUserId: '123',
    botRoleId: '555',
    users: new Map([['999', 'Ann Asker']]),
    roles: new Map([['456', 'Moderators']]),
    channels: new Map([['789', 'strike-news']]),
  };

  it('removes the bot’s mention (user or managed role), names other mentions, drops @everyone and emoji', () => {
    assert.equal(questionFromMessage('<@123> how many  <@!123> doctors?', resolved), 'how many doctors?');
    assert.equal(questionFromMessage('<@&555> how many doctors voted?', resolved), 'how many doctors voted?');
    assert.equal(
      questionFromMessage('<@999> <@&456> <#789> @everyone @here <:thinking:111> What did <@!999> say?', resolved),
      'Ann Asker Moderators strike-news What did Ann Asker say?',
    );
    assert.equal(questionFromMessage('<@424242> how many doctors voted?', resolved), 'how many doctors voted?');
  });

  it('makes an echoed question inert: no mention pings, no link unfurls', () => {
    assert.equal(
      inertText('@everyone see https://example.org/a and <https://example.org/b> <@123> <@&456>'),
      '@\u200beveryone see <https://example.org/a> and <https://example.org/b> <@\u200b123> <@\u200b&456>',
    );
  });

  it('breaks invite links, with or without a scheme, so the echoed question shows no join card', () => {
    assert.equal(
      inertText('join discord.gg/abc or https://discord.com/invite/xyz, DISCORDAPP.COM/invite/q'),
      'join discord.gg\u200b/abc or <https://discord.com/invite\u200b/xyz,> DISCORDAPP.COM/invite\u200b/q',
    );
  });
});
