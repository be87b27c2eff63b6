/**
 * Every setting, declared once: its name, what it defaults to, one line of help, and how it is read and
 * checked. The Config type, loadConfig, `.env.example` and the settings tables in the README and
 * docs/settings.md all come from here (`npm run settings-docs` writes the files; a test checks they agree).
 */
import { join, resolve } from 'node:path';
import { LOG_FORMATS, LOG_LEVELS } from '../logging/logger.js';
import type { SettingsReader } from './settings-reader.js';

export type Pooling = 'mean' | 'cls';

/** Share of null questions the confident threshold lets through (FALSE_ANSWER_RATE's default). */
export const DEFAULT_FALSE_ANSWER_RATE = 0.01;
export const DEFAULT_EMBEDDING_MODEL = 'Xenova/bge-small-en-v1.5';

/** Paths other settings default to. */
interface Folders {
  baseDir: string;
  dataDir: string;
}

interface Setting<T> {
  name: string;
  section: 'Discord' | 'Files' | 'Models' | 'Answering' | 'Logging' | 'Web and feeds';
  /** The default as documented; empty: none. */
  default: string;
  help: string;
  /** Shown in the README's short table (the settings people change). */
  common?: boolean;
  read(reader: SettingsReader, name: string, folders: Folders): T;
}

const setting = <T>(declared: Setting<T>): Setting<T> => declared;

export const SETTINGS = {
  discordToken: setting({
    name: 'DISCORD_TOKEN',
    section: 'Discord',
    default: '',
    help: 'Bot token from the Discord developer portal (Bot tab). Without it, `npm start` answers on the command line.',
    common: true,
    read: (r, name) => r.string(name),
  }),
  discordApiUrl: setting({
    name: 'DISCORD_API_URL',
    section: 'Discord',
    default: '',
    help: "REST base URL of Discord or a Discord-compatible server (tests: http://127.0.0.1:…/api). Empty: Discord's own.",
    read: (r, name) => r.url(name),
  }),
  discordGuildId: setting({
    name: 'DISCORD_GUILD_ID',
    section: 'Discord',
    default: '',
    help: 'Register slash commands to this one server (guild) id: instant, good for trying the bot. Empty: globally.',
    common: true,
    read: (r, name) => r.snowflake(name),
  }),
  answerChannelIds: setting({
    name: 'ANSWER_CHANNEL_IDS',
    section: 'Discord',
    default: '',
    help: 'Comma-separated channel ids where every message is a question, no mention needed (needs the Message Content intent).',
    common: true,
    read: (r, name) => r.snowflakes(name),
  }),
  registerCommandsOnStart: setting({
    name: 'REGISTER_COMMANDS_ON_START',
    section: 'Discord',
    default: 'false',
    help: 'Register slash commands each time the bot starts (true/false); false: run `npm run register-commands` once.',
    read: (r, name) => r.boolean(name, false),
  }),
  cooldownSeconds: setting({
    name: 'COOLDOWN_SECONDS',
    section: 'Discord',
    default: '5',
    help: 'Seconds a member waits between two questions (0-3600); 0 switches the cooldown off.',
    common: true,
    read: (r, name) => r.integer(name, 5, 0, 3600),
  }),
  catchUpMinutes: setting({
    name: 'CATCH_UP_MINUTES',
    section: 'Discord',
    default: '10',
    help: 'After a start, answer the questions asked while the bot was down, at most this many minutes old (0-1440); 0: off.',
    read: (r, name) => r.integer(name, 10, 0, 1440),
  }),
  corpusDir: setting({
    name: 'CORPUS_DIR',
    section: 'Files',
    default: 'corpus',
    help: 'Folder with the articles (.txt, .md, .html).',
    common: true,
    read: (r, name, { baseDir }) => r.folder(name, 'corpus', false) ?? resolve(baseDir, 'corpus'),
  }),
  dataDir: setting({
    name: 'DATA_DIR',
    section: 'Files',
    default: 'data',
    help: 'Folder for everything the bot writes: index, model downloads, feedback, feeds.',
    common: true,
    read: (r, name, { baseDir }) => r.folder(name, 'data', false) ?? resolve(baseDir, 'data'),
  }),
  indexDir: setting({
    name: 'INDEX_DIR',
    section: 'Files',
    default: 'DATA_DIR/index',
    help: 'Folder for the search index (it follows DATA_DIR unless set).',
    read: (r, name, { dataDir }) => r.folder(name, undefined, false) ?? resolve(dataDir, 'index'),
  }),
  embeddingModel: setting({
    name: 'EMBEDDING_MODEL',
    section: 'Models',
    default: DEFAULT_EMBEDDING_MODEL,
    help: 'Embedding model: a transformers.js feature-extraction model id.',
    common: true,
    read: (r, name) => r.string(name) ?? DEFAULT_EMBEDDING_MODEL,
  }),
  embeddingPooling: setting({
    name: 'EMBEDDING_POOLING',
    section: 'Models',
    default: 'per model',
    help: 'mean or cls, for a model the bot does not know (known ones are set up by themselves).',
    read: (r, name): Pooling | undefined => r.oneOf(name, ['mean', 'cls'] as const),
  }),
  embeddingQueryPrefix: setting({
    name: 'EMBEDDING_QUERY_PREFIX',
    section: 'Models',
    default: 'per model',
    help: 'Text put before questions, for a model the bot does not know (e.g. "query: ").',
    read: (r, name) => r.untrimmed(name),
  }),
  embeddingPassagePrefix: setting({
    name: 'EMBEDDING_PASSAGE_PREFIX',
    section: 'Models',
    default: 'per model',
    help: 'Text put before passages, for a model the bot does not know (e.g. "passage: ").',
    read: (r, name) => r.untrimmed(name),
  }),
  embeddingBatchSize: setting({
    name: 'EMBEDDING_BATCH_SIZE',
    section: 'Models',
    // 8: fastest of 4/8/16/32 with length-sorted batches (docs/speed.md).
    default: '8',
    help: 'Passages embedded per model call while indexing (1-512), in batches of similar length.',
    read: (r, name) => r.integer(name, 8, 1, 512),
  }),
  rerankModel: setting({
    name: 'RERANK_MODEL',
    section: 'Models',
    default: '',
    help: 'Cross-encoder that re-ranks the best candidates, e.g. Xenova/ms-marco-MiniLM-L-6-v2. Empty: none.',
    read: (r, name) => r.string(name),
  }),
  modelsDir: setting({
    name: 'MODELS_DIR',
    section: 'Models',
    default: '',
    help: 'Local folder holding models as <MODELS_DIR>/<model id>/ (config.json, tokenizer.json, onnx/…), looked in first.',
    common: true,
    read: (r, name) => r.folder(name, undefined, true),
  }),
  allowRemoteModels: setting({
    name: 'ALLOW_REMOTE_MODELS',
    section: 'Models',
    default: 'true',
    help: 'Download models when they are not found locally (true/false): from the hub, else from Maven.',
    common: true,
    read: (r, name) => r.boolean(name, true),
  }),
  modelHubUrl: setting({
    name: 'MODEL_HUB_URL',
    section: 'Models',
    default: 'https://huggingface.co',
    help: 'Where models are downloaded from: the Hugging Face hub, or a mirror of it.',
    read: (r, name) => `${r.url(name) ?? 'https://huggingface.co'}/`,
  }),
  modelCacheDir: setting({
    name: 'MODEL_CACHE_DIR',
    section: 'Models',
    default: 'DATA_DIR/model-cache',
    help: 'Where downloaded models are kept (outside node_modules, so `npm ci` does not wipe them).',
    read: (r, name, { dataDir }) => r.folder(name, undefined, false) ?? resolve(dataDir, 'model-cache'),
  }),
  searchEf: setting({
    name: 'SEARCH_EF',
    section: 'Answering',
    default: '100',
    help: 'HNSW search breadth (10-10000): higher finds more true neighbours, slower.',
    read: (r, name) => r.integer(name, 100, 10, 10000),
  }),
  minRelevance: setting({
    name: 'MIN_RELEVANCE',
    section: 'Answering',
    default: 'calibrated',
    help: 'Relevance (0-1) below which the bot says the corpus does not answer. Empty: what `npm run index` calibrates.',
    read: (r, name) => r.number(name, 0, 1),
  }),
  falseAnswerRate: setting({
    name: 'FALSE_ANSWER_RATE',
    section: 'Answering',
    default: String(DEFAULT_FALSE_ANSWER_RATE),
    help: 'Share (0.001-0.5) of questions the corpus does not answer that may still get a confident answer.',
    common: true,
    read: (r, name) => r.number(name, 0.001, 0.5) ?? DEFAULT_FALSE_ANSWER_RATE,
  }),
  logLevel: setting({
    name: 'LOG_LEVEL',
    section: 'Logging',
    default: 'info',
    help: `One of ${LOG_LEVELS.join(', ')}.`,
    common: true,
    read: (r, name) => r.oneOf(name, LOG_LEVELS) ?? 'info',
  }),
  logFormat: setting({
    name: 'LOG_FORMAT',
    section: 'Logging',
    default: 'auto',
    help: 'text (readable lines), json (for a log collector), or auto: commands write text, the bot writes text on a terminal and json elsewhere.',
    read: (r, name) => r.oneOf(name, LOG_FORMATS) ?? 'auto',
  }),
  allowLoopbackUrls: setting({
    name: 'ALLOW_LOOPBACK_URLS',
    section: 'Web and feeds',
    default: 'false',
    help: 'Fetch URLs on 127.0.0.0/8 and ::1 (for tests). Keep false; other internal addresses are refused whatever this says.',
    read: (r, name) => r.boolean(name, false),
  }),
  fetchDelayMs: setting({
    name: 'FETCH_DELAY_MS',
    section: 'Web and feeds',
    default: '1000',
    help: 'Pause between two requests to the same web host, in milliseconds (0-60000).',
    read: (r, name) => r.integer(name, 1000, 0, 60_000),
  }),
  fetchTimeoutSeconds: setting({
    name: 'FETCH_TIMEOUT_SECONDS',
    section: 'Web and feeds',
    default: '20',
    help: 'Longest a page or feed may take to arrive in full, in seconds (1-300).',
    read: (r, name) => r.integer(name, 20, 1, 300),
  }),
  feedsFile: setting({
    name: 'FEEDS_FILE',
    section: 'Web and feeds',
    default: 'DATA_DIR/feeds.txt',
    help: 'The RSS or Atom feeds whose new articles are added: a file with one URL a line.',
    common: true,
    read: (r, name, { dataDir }) => r.file(name, join(dataDir, 'feeds.txt')),
  }),
  feedsPollMinutes: setting({
    name: 'FEEDS_POLL_MINUTES',
    section: 'Web and feeds',
    default: '0',
    help: 'The running bot polls the feeds this often (0-1440 minutes, decimals allowed); 0: run `npm run feeds` from cron.',
    common: true,
    read: (r, name) => r.number(name, 0, 1440) ?? 0,
  }),
  feedsItemsPerPoll: setting({
    name: 'FEEDS_ITEMS_PER_POLL',
    section: 'Web and feeds',
    default: '200',
    help: 'Feed items added per poll at most (1-100000); the rest wait for the next poll.',
    read: (r, name) => r.integer(name, 200, 1, 100_000),
  }),
};

type Settings = typeof SETTINGS;
export type Config = { [K in keyof Settings]: ReturnType<Settings[K]['read']> };
export const SETTING_NAMES: string[] = Object.values(SETTINGS).map((declared) => declared.name);

const wrap = (text: string, width = 110): string[] => {
  const lines: string[] = [];
  let line = '#';
  for (const word of text.split(' ')) {
    if (line.length + word.length + 1 > width && line !== '#') {
      lines.push(line);
      line = '#';
    }
    line += ` ${word}`;
  }
  return [...lines, line];
};

/** `.env.example`: every setting with its help, its default commented out, grouped by section. */
export function envExample(): string {
  const out = [
    '# Copy to .env and fill in. Every setting is optional except DISCORD_TOKEN for running the Discord bot.',
    '# A commented-out line shows the default. Relative paths are resolved against the folder you run commands',
    '# from. ENV_FILE=other.env loads another file (variables already set in the environment win).',
    '# Written by `npm run settings-docs` from src/config/settings.ts.',
  ];
  let section = '';
  for (const declared of Object.values(SETTINGS)) {
    if (declared.section !== section) {
      section = declared.section;
      out.push('', `# --- ${section} ${'-'.repeat(Math.max(3, 104 - section.length))}`);
    }
    out.push(...wrap(declared.help));
    const shown = /^(|per model|calibrated|DATA_DIR\/.*)$/.test(declared.default) ? '' : declared.default;
    out.push(declared.name === 'DISCORD_TOKEN' ? `${declared.name}=` : `# ${declared.name}=${shown}`);
  }
  return `${out.join('\n')}\n`;
}

/** A Markdown table of the settings (all, or the common ones), for the README and docs/settings.md. */
export function settingsTable(which: 'all' | 'common'): string {
  const rows = Object.values(SETTINGS)
    .filter((declared) => which === 'all' || declared.common)
    .map((declared) => [
      `\`${declared.name}\``,
      declared.default ? `\`${declared.default}\`` : '(none)',
      declared.help,
    ]);
  const table = [['setting', 'default', 'meaning'], ...rows];
  const widths = [0, 1, 2].map((column) => Math.max(...table.map((row) => (row[column] ?? '').length)));
  const line = (row: string[]) => `| ${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  return [line(table[0] ?? []), `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`, ...rows.map(line)].join(
    '\n',
  );
}
