/**
 * Loading the settings: the environment and a .env file, read and checked as src/config/settings.ts declares.
 */
import dotenv from 'dotenv';
import { resolve } from 'node:path';
import { LOG_LEVELS, type LogLevel } from '../logging/logger.js';
import { SettingsReader, type Env } from './settings-reader.js';
import { SETTINGS, type Config } from './settings.js';

export {
  DEFAULT_EMBEDDING_MODEL,
  DEFAULT_FALSE_ANSWER_RATE,
  SETTING_NAMES,
  type Config,
  type Pooling,
} from './settings.js';
export { LOG_LEVELS, type LogLevel };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.map((problem) => `Configuration error: ${problem}`).join('\n'));
    this.name = 'ConfigError';
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
  // The other folders default to places in DATA_DIR, so it is read first.
  const dataDir = SETTINGS.dataDir.read(read, SETTINGS.dataDir.name, { baseDir, dataDir: '' });
  const folders = { baseDir, dataDir };
  const config = Object.fromEntries(
    Object.entries(SETTINGS).map(([key, declared]) => [
      key,
      key === 'dataDir' ? dataDir : declared.read(read, declared.name, folders),
    ]),
  ) as Config;
  if (config.discordToken !== undefined && /\s/.test(config.discordToken)) {
    // Never echo the token itself.
    read.problems.push('DISCORD_TOKEN: contains white space; expected the bot token exactly as Discord shows it');
  }
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return config;
}
