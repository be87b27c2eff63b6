/**
 * All settings, read once from the environment (and a `.env` file through dotenv), validated together so a
 * user sees every problem at once, one line each: the name, what was wrong, what is expected.
 */
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import dotenv from 'dotenv';
import { LOG_LEVELS, type LogLevel } from '../logging/logger.js';
import { webUrl } from '../shared/web-url.js';

export { LOG_LEVELS, type LogLevel };
export type Pooling = 'mean' | 'cls';

export interface Config {
  discordToken: string | undefined;
  discordApiUrl: string | undefined;
  discordGuildId: string | undefined;
  /** Channels where every message is a question (needs the Message Content intent). */
  answerChannelIds: string[];
  registerCommandsOnStart: boolean;
  cooldownSeconds: number;
  /** After a start, answer questions asked while the bot was down if they are at most this old; 0: off. */
  catchUpMinutes: number;
  corpusDir: string;
  dataDir: string;
  indexDir: string;
  embeddingModel: string;
  /** Overrides of the known-model table; undefined means "use the table's value (or the generic default)". */
  embeddingPooling: Pooling | undefined;
  embeddingQueryPrefix: string | undefined;
  embeddingPassagePrefix: string | undefined;
  embeddingBatchSize: number;
  rerankModel: string | undefined;
  modelsDir: string | undefined;
  allowRemoteModels: boolean;
  /** Where models are downloaded from: the Hugging Face hub, or a mirror of it. */
  modelHubUrl: string;
  modelCacheDir: string;
  searchEf: number;
  /** Undefined means "the threshold calibrated on the index" (see answering/calibration.ts). */
  minRelevance: number | undefined;
  /** Share of questions the corpus does not answer that may still get quotes: sets the calibrated threshold. */
  falseAnswerRate: number;
  logLevel: LogLevel;
  /** Fetch URLs on loopback addresses (for tests); every other internal address is refused regardless. */
  allowLoopbackUrls: boolean;
  /** Pause between two requests to one web host. */
  fetchDelayMs: number;
  /** Longest a page (or feed) may take to arrive in full. */
  fetchTimeoutSeconds: number;
  /** The feeds the bot follows, one URL a line. */
  feedsFile: string;
  /** The running bot polls the feeds this often; 0: it does not (run `npm run feeds` from cron instead). */
  feedsPollMinutes: number;
  /** Feed items added per poll at most; the rest wait for the next poll. */
  feedsItemsPerPoll: number;
}

/** Every setting the program reads; `.env.example` documents each (a test checks that). */
export const SETTING_NAMES = [
  'DISCORD_TOKEN',
  'DISCORD_API_URL',
  'DISCORD_GUILD_ID',
  'ANSWER_CHANNEL_IDS',
  'REGISTER_COMMANDS_ON_START',
  'COOLDOWN_SECONDS',
  'CATCH_UP_MINUTES',
  'CORPUS_DIR',
  'DATA_DIR',
  'INDEX_DIR',
  'EMBEDDING_MODEL',
  'EMBEDDING_POOLING',
  'EMBEDDING_QUERY_PREFIX',
  'EMBEDDING_PASSAGE_PREFIX',
  'EMBEDDING_BATCH_SIZE',
  'RERANK_MODEL',
  'MODELS_DIR',
  'ALLOW_REMOTE_MODELS',
  'MODEL_HUB_URL',
  'MODEL_CACHE_DIR',
  'SEARCH_EF',
  'MIN_RELEVANCE',
  'FALSE_ANSWER_RATE',
  'LOG_LEVEL',
  'ALLOW_LOOPBACK_URLS',
  'FETCH_DELAY_MS',
  'FETCH_TIMEOUT_SECONDS',
  'FEEDS_FILE',
  'FEEDS_POLL_MINUTES',
  'FEEDS_ITEMS_PER_POLL',
] as const;
export type SettingName = (typeof SETTING_NAMES)[number];

/** Share of null questions the confident threshold lets through (FALSE_ANSWER_RATE's default). */
export const DEFAULT_FALSE_ANSWER_RATE = 0.01;

export const DEFAULT_EMBEDDING_MODEL = 'Xenova/bge-small-en-v1.5';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.map((problem) => `Configuration error: ${problem}`).join('\n'));
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Reads settings one by one, collecting problems instead of stopping at the first. */
class SettingsReader {
  readonly problems: string[] = [];
  constructor(
    private readonly env: Env,
    private readonly baseDir: string,
  ) {}

  /** Empty and whitespace-only values count as unset, as they do in most .env conventions. */
  raw(name: SettingName): string | undefined {
    const value = this.env[name]?.trim();
    return value ? value : undefined;
  }

  problem(name: SettingName, value: string, expected: string): undefined {
    this.problems.push(`${name}=${JSON.stringify(value)}: ${expected}`);
    return undefined;
  }

  string(name: SettingName): string | undefined {
    return this.raw(name);
  }

  /** Prefixes keep their trailing space ("query: "), so they are not trimmed; an unset one is undefined. */
  untrimmed(name: SettingName): string | undefined {
    const value = this.env[name];
    return value === undefined || value === '' ? undefined : value;
  }

  boolean(name: SettingName, fallback: boolean): boolean {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (/^(true|1|yes|on)$/i.test(value)) return true;
    if (/^(false|0|no|off)$/i.test(value)) return false;
    this.problem(name, value, 'expected true or false');
    return fallback;
  }

  integer(name: SettingName, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
      this.problem(name, value, `expected a whole number from ${min} to ${max}`);
      return fallback;
    }
    return parsed;
  }

  number(name: SettingName, min: number, max: number): number | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < min || parsed > max) {
      return this.problem(name, value, `expected a number from ${min} to ${max}`);
    }
    return parsed;
  }

  oneOf<T extends string>(name: SettingName, choices: readonly T[]): T | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    const lower = value.toLowerCase();
    const match = choices.find((choice) => choice === lower);
    if (!match) return this.problem(name, value, `expected one of ${choices.join(', ')}`);
    return match;
  }

  snowflake(name: SettingName): string | undefined {
    const value = this.raw(name);
    if (value === undefined || /^\d{15,21}$/.test(value)) return value;
    return this.problem(name, value, 'expected a Discord id (15 to 21 digits)');
  }

  snowflakes(name: SettingName): string[] {
    const value = this.raw(name);
    if (value === undefined) return [];
    const ids = value.split(/[\s,]+/).filter(Boolean);
    const bad = ids.filter((id) => !/^\d{15,21}$/.test(id));
    if (bad.length > 0) {
      this.problem(name, value, `expected Discord channel ids separated by commas; not an id: ${bad.join(', ')}`);
      return [];
    }
    return ids;
  }

  url(name: SettingName): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    if (webUrl(value) !== undefined) return value.replace(/\/+$/, '');
    return this.problem(name, value, 'expected an http:// or https:// URL');
  }

  /**
   * A folder path, resolved against the working directory. `mustExist` folders are checked now; the others
   * only must not be something other than a folder (they are created when first written).
   */
  folder(name: SettingName, fallback: string | undefined, mustExist: boolean): string | undefined {
    const value = this.raw(name) ?? fallback;
    if (value === undefined) return undefined;
    const path = resolve(this.baseDir, value);
    let isDirectory: boolean | undefined;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch {
      isDirectory = undefined;
    }
    if (isDirectory === false) return this.problem(name, value, `${path} is a file; expected a folder`);
    if (isDirectory === undefined && mustExist) {
      return this.problem(name, value, `${path} does not exist; expected an existing folder`);
    }
    return path;
  }

  /** A file path, resolved against the working directory; it need not exist yet, but must not be a folder. */
  file(name: SettingName, fallback: string): string {
    const value = this.raw(name) ?? fallback;
    const path = resolve(this.baseDir, value);
    let isDirectory = false;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch {
      // Not there yet: written when first needed.
    }
    if (isDirectory) this.problem(name, value, `${path} is a folder; expected a file`);
    return path;
  }
}

export interface LoadConfigOptions {
  /** The environment to read; defaults to process.env. */
  env?: Env;
  /** The .env file to load into `env` first (variables already set win); default `.env`, or ENV_FILE. */
  envFile?: string;
  /** Folder that relative paths are resolved against; default the working directory. */
  baseDir?: string;
}

/** Loads and validates every setting. Throws ConfigError listing every problem, one line each. */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const baseDir = options.baseDir ?? process.cwd();
  const env: Env = { ...(options.env ?? process.env) };
  const envFile = resolve(baseDir, options.envFile ?? env.ENV_FILE ?? '.env');
  const loaded = dotenv.config({ path: envFile, processEnv: {}, quiet: true });
  if (loaded.error && (options.envFile !== undefined || env.ENV_FILE !== undefined)) {
    // A missing default .env is normal; a file the user named explicitly must exist.
    throw new ConfigError([`ENV_FILE=${JSON.stringify(envFile)}: cannot read it (${loaded.error.message})`]);
  }
  for (const [key, value] of Object.entries(loaded.parsed ?? {})) env[key] ??= value;

  const read = new SettingsReader(env, baseDir);
  const dataDir = read.folder('DATA_DIR', 'data', false) ?? resolve(baseDir, 'data');
  const config: Config = {
    discordToken: read.string('DISCORD_TOKEN'),
    discordApiUrl: read.url('DISCORD_API_URL'),
    discordGuildId: read.snowflake('DISCORD_GUILD_ID'),
    answerChannelIds: read.snowflakes('ANSWER_CHANNEL_IDS'),
    registerCommandsOnStart: read.boolean('REGISTER_COMMANDS_ON_START', false),
    cooldownSeconds: read.integer('COOLDOWN_SECONDS', 5, 0, 3600),
    catchUpMinutes: read.integer('CATCH_UP_MINUTES', 10, 0, 1440),
    corpusDir: read.folder('CORPUS_DIR', 'corpus', false) ?? resolve(baseDir, 'corpus'),
    dataDir,
    // The index lives in DATA_DIR unless INDEX_DIR says otherwise, so moving DATA_DIR moves everything.
    indexDir: read.folder('INDEX_DIR', undefined, false) ?? resolve(dataDir, 'index'),
    embeddingModel: read.string('EMBEDDING_MODEL') ?? DEFAULT_EMBEDDING_MODEL,
    embeddingPooling: read.oneOf('EMBEDDING_POOLING', ['mean', 'cls'] as const),
    embeddingQueryPrefix: read.untrimmed('EMBEDDING_QUERY_PREFIX'),
    embeddingPassagePrefix: read.untrimmed('EMBEDDING_PASSAGE_PREFIX'),
    // 8: fastest of 4/8/16/32 with length-sorted batches (bench/README.md).
    embeddingBatchSize: read.integer('EMBEDDING_BATCH_SIZE', 8, 1, 512),
    rerankModel: read.string('RERANK_MODEL'),
    modelsDir: read.folder('MODELS_DIR', undefined, true),
    allowRemoteModels: read.boolean('ALLOW_REMOTE_MODELS', true),
    modelHubUrl: `${read.url('MODEL_HUB_URL') ?? 'https://huggingface.co'}/`,
    modelCacheDir: read.folder('MODEL_CACHE_DIR', undefined, false) ?? resolve(dataDir, 'model-cache'),
    searchEf: read.integer('SEARCH_EF', 100, 10, 10000),
    minRelevance: read.number('MIN_RELEVANCE', 0, 1),
    falseAnswerRate: read.number('FALSE_ANSWER_RATE', 0.001, 0.5) ?? DEFAULT_FALSE_ANSWER_RATE,
    logLevel: read.oneOf('LOG_LEVEL', LOG_LEVELS) ?? 'info',
    allowLoopbackUrls: read.boolean('ALLOW_LOOPBACK_URLS', false),
    fetchDelayMs: read.integer('FETCH_DELAY_MS', 1000, 0, 60_000),
    fetchTimeoutSeconds: read.integer('FETCH_TIMEOUT_SECONDS', 20, 1, 300),
    feedsFile: read.file('FEEDS_FILE', join(dataDir, 'feeds.txt')),
    feedsPollMinutes: read.number('FEEDS_POLL_MINUTES', 0, 1440) ?? 0,
    feedsItemsPerPoll: read.integer('FEEDS_ITEMS_PER_POLL', 200, 1, 100_000),
  };
  if (config.discordToken !== undefined && /\s/.test(config.discordToken)) {
    // Never echo the token itself.
    read.problems.push('DISCORD_TOKEN: contains white space; expected the bot token exactly as Discord shows it');
  }
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return config;
}
