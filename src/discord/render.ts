/**
 * Answer → Discord message, as plain API objects (easy to test against Discord's limits). Pure.
 * Each passage is an embed: the article title as the embed title (linked when there is a URL), the quote
 * with its best sentence in bold, and the citation in the footer. Quoted text is Markdown-escaped so the
 * article's own asterisks and underscores stay characters; pings are prevented by allowed_mentions in
 * discord/respond.ts, never by editing the quote.
 */
import {
  ButtonStyle,
  ComponentType,
  escapeMarkdown,
  type APIActionRowComponent,
  type APIButtonComponent,
  type APIEmbed,
} from 'discord.js';
import type { Answer, AnswerPassage, Citation } from '../answering/answer.js';
import { CLOSEST_NOTE, paragraphLabel, sourceParts, sourceText, unknownNamesNote } from '../present/answer-text.js';
import { webUrl } from '../shared/web-url.js';
import type { IndexedArticle, IndexedPassage } from '../index/store.js';
import { inertText } from './mentions.js';
import { splitSentences } from '../text/sentences.js';

export const LIMITS = {
  content: 2000,
  embeds: 10,
  embedTitle: 256,
  embedDescription: 4096,
  embedFooter: 2048,
  embedsTotal: 6000,
  customId: 100,
  buttonLabel: 80,
  buttonsPerRow: 5,
} as const;

export interface MessagePayload {
  content: string;
  embeds: APIEmbed[];
  components: APIActionRowComponent<APIButtonComponent>[];
}

export const NOT_IN_CORPUS =
  'Nothing in the corpus answers this. Try asking in other words, or use `/sources` to see which articles I know.';

/** Cuts text to at most `max` characters, at the last sentence end that fits (else a word), adding "…". */
export function cutAtSentence(text: string, max: number): string {
  if (text.length <= max) return text;
  const room = max - 1;
  const ends = splitSentences(text)
    .map((sentence) => sentence.end)
    .filter((end) => end <= room);
  const cut = ends.at(-1) ?? (text.lastIndexOf(' ', room) > room / 2 ? text.lastIndexOf(' ', room) : room);
  return `${text.slice(0, cut).trimEnd()}…`;
}

function quoteLines(text: string): string {
  return text
    .split('\n')
    .map((line) => (line ? `> ${line}` : '>'))
    .join('\n');
}

/** The quote with its best sentence bolded, cut to `max` characters without breaking the bold markers. */
export function renderQuote(passage: Pick<AnswerPassage, 'text' | 'bestSentence'>, max: number): string {
  const { text, bestSentence } = passage;
  const before = escapeMarkdown(text.slice(0, bestSentence.start));
  const best = escapeMarkdown(bestSentence.text);
  const after = escapeMarkdown(text.slice(bestSentence.end));
  const full = quoteLines(`${before}**${best}**${after}`);
  if (full.length <= max) return full;
  // Too long: keep the best sentence and what follows, then whatever fits before it.
  const lead = before.length > 0 ? '… ' : '';
  const core = quoteLines(`${lead}**${cutAtSentence(best, Math.max(20, max - 10 - lead.length))}**`);
  const rest = max - core.length;
  return rest > 20 && after.trim() ? `${core}${quoteLines(cutAtSentence(after, rest)).slice(1)}` : core;
}

/** Discord links only well-formed http(s) URLs (and rejects the whole message otherwise). */
function isWebLink(url: string | undefined): url is string {
  return webUrl(url) !== undefined;
}

/** The citation as an embed's footer shows it (the title is the embed's own): "Author · Publication · paragraph 3". */
export function citationLine(citation: Citation): string {
  return [...sourceParts(citation), paragraphLabel(citation)].join(' · ');
}

/** A quoted passage's embed footer: its citation, then each copy's ("also in …"). */
export function passageFooter(passage: Pick<AnswerPassage, 'citation' | 'alsoIn'>): string {
  return cutAtSentence(
    [citationLine(passage.citation), ...(passage.alsoIn ?? []).map((copy) => `also in ${citationLine(copy)}`)].join(
      ' · ',
    ),
    LIMITS.embedFooter,
  );
}

function passageEmbed(passage: AnswerPassage, descriptionBudget: number): APIEmbed {
  const embed: APIEmbed = {
    title: cutAtSentence(`${passage.rank}. ${passage.citation.title}`, LIMITS.embedTitle),
    description: renderQuote(passage, Math.min(LIMITS.embedDescription, descriptionBudget)),
    footer: { text: passageFooter(passage) },
  };
  if (isWebLink(passage.citation.url)) embed.url = passage.citation.url;
  return embed;
}

export interface ButtonIds {
  more?: string;
  source: string[];
  up: string;
  down: string;
}

function button(
  customId: string,
  label: string,
  style: ButtonStyle.Primary | ButtonStyle.Secondary,
): APIButtonComponent {
  return { type: ComponentType.Button, custom_id: customId, label: label.slice(0, LIMITS.buttonLabel), style };
}

function row(buttons: APIButtonComponent[]): APIActionRowComponent<APIButtonComponent> {
  return { type: ComponentType.ActionRow, components: buttons.slice(0, LIMITS.buttonsPerRow) };
}

/** The whole reply: the question as context, one embed per passage, and the buttons. */
export function renderAnswer(answer: Answer, buttons: ButtonIds): MessagePayload {
  const question = inertText(escapeMarkdown(cutAtSentence(answer.question.replace(/\s+/g, ' '), 300)));
  const feedback = [button(buttons.up, '👍', ButtonStyle.Secondary), button(buttons.down, '👎', ButtonStyle.Secondary)];
  if (answer.abstained || answer.passages.length === 0) {
    const note = unknownNamesNote(answer);
    const content = `**Q:** ${question}\n${NOT_IN_CORPUS}${note ? `\n${inertText(escapeMarkdown(note))}` : ''}`;
    return { content, embeds: [], components: [row(feedback)] };
  }
  // Share the 6000-character total between the embeds, leaving room for titles and footers.
  const perEmbed = Math.floor((LIMITS.embedsTotal - 200) / answer.passages.length) - 400;
  const embeds = answer.passages.slice(0, LIMITS.embeds).map((passage) => passageEmbed(passage, perEmbed));
  const first = [...(buttons.more ? [button(buttons.more, 'More results', ButtonStyle.Primary)] : []), ...feedback];
  const sources = buttons.source.map((id, i) =>
    button(id, `Show source ${answer.passages[i]?.rank ?? i + 1}`, ButtonStyle.Secondary),
  );
  const components = [row(first), ...(sources.length > 0 ? [row(sources)] : [])];
  const note = answer.closest ? `\n⚠️ *${CLOSEST_NOTE}*` : '';
  return { content: `**Q:** ${question}${note}`, embeds, components };
}

/** "Show source": the passage with the passages around it, the chosen one in bold. */
export function renderSource(passages: IndexedPassage[], chosenId: string, citation: Citation): MessagePayload {
  const budget = LIMITS.embedDescription - 100;
  const each = Math.floor(budget / Math.max(passages.length, 1)) - 10;
  const description = passages
    .map((passage) => {
      const text = escapeMarkdown(cutAtSentence(passage.text, each - 4));
      return passage.id === chosenId ? quoteLines(`**${text}**`) : quoteLines(text);
    })
    .join('\n\n');
  const embed: APIEmbed = {
    title: cutAtSentence(citation.title, LIMITS.embedTitle),
    description: description.slice(0, LIMITS.embedDescription),
    footer: {
      text: cutAtSentence(`${citationLine(citation)} (in bold), with the passages around it`, LIMITS.embedFooter),
    },
  };
  if (isWebLink(citation.url)) embed.url = citation.url;
  return { content: '', embeds: [embed], components: [] };
}

export function renderSources(articles: IndexedArticle[]): MessagePayload {
  const lines = articles.map((article) => {
    const source = sourceText(article);
    const title = escapeMarkdown(article.title);
    const linked = isWebLink(article.url) ? `[${title}](${article.url})` : `**${title}**`;
    return `• ${linked}${source ? ` — ${escapeMarkdown(source)}` : ''} (${article.passageCount} passages)`;
  });
  let description = '';
  let shown = 0;
  for (const line of lines) {
    if (description.length + line.length + 40 > LIMITS.embedDescription) break;
    description += `${line}\n`;
    shown++;
  }
  if (shown < lines.length) description += `…and ${lines.length - shown} more.`;
  return {
    content: '',
    embeds: [
      {
        title: `${articles.length} articles in the corpus`,
        description: description.trimEnd() || 'The index is empty.',
      },
    ],
    components: [],
  };
}

export const HELP_TEXT = [
  '**Ask me about the articles in the corpus.** I answer by quoting the paragraphs that answer, with a citation for each.',
  '',
  '• `/ask question: How many junior doctors voted to strike?` (add `results:` for 1–5 passages)',
  '• Mention me with a question: `@bot who covered emergencies during the walkout?` (also in threads and DMs)',
  '• Right-click a message → Apps → **Ask the corpus** to use that message as the question',
  '• `/sources` lists the articles I know',
  '• `/corpus` (for members with Manage Server): add an article by URL, remove one, follow RSS/Atom feeds',
  '',
  'Buttons under an answer: **More results**, **Show source** (the paragraphs around a quote), 👍/👎 to tell the operator whether it helped.',
  'When nothing in the corpus answers, I say so rather than quote something unrelated.',
].join('\n');
