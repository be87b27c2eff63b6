import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, DEFAULT_EMBEDDING_MODEL, SETTING_NAMES, loadConfig } from '../src/config/config.js';
import { SETTINGS } from '../src/config/settings.js';
import { FLAGS, usageOf, type Command } from '../src/cli/flags.js';
import { settingsFiles } from '../src/cli/settings-docs.js';
import { PROJECT_ROOT, runNode } from './helpers/process.js';

const emptyDir = () => mkdtempSync(join(tmpdir(), 'config-test-'));

function problemsOf(env: Record<string, string>, baseDir = emptyDir()): string[] {
  try {
    loadConfig({ env, baseDir });
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error.problems;
  }
  assert.fail('expected loadConfig to throw');
}

describe('loadConfig', () => {
  it('has working defaults with no settings at all', () => {
    const baseDir = emptyDir();
    const config = loadConfig({ env: {}, baseDir });
    assert.equal(config.corpusDir, join(baseDir, 'corpus'));
    assert.equal(config.indexDir, join(baseDir, 'data/index'));
    assert.equal(config.modelCacheDir, join(baseDir, 'data/model-cache'));
    assert.equal(config.embeddingModel, DEFAULT_EMBEDDING_MODEL);
    assert.equal(config.allowRemoteModels, true);
    assert.equal(config.discordToken, undefined);
    assert.equal(config.logLevel, 'info');
    assert.deepEqual(config.answerChannelIds, []);
    assert.equal(config.falseAnswerRate, 0.01);
    assert.equal(config.minRelevance, undefined);
  });

  it('moves the index and the model cache with DATA_DIR unless they are set themselves', () => {
    const baseDir = emptyDir();
    const moved = loadConfig({ env: { DATA_DIR: 'elsewhere' }, baseDir });
    assert.equal(moved.indexDir, join(baseDir, 'elsewhere/index'));
    assert.equal(moved.modelCacheDir, join(baseDir, 'elsewhere/model-cache'));
    const own = loadConfig({ env: { DATA_DIR: 'elsewhere', INDEX_DIR: 'my-index' }, baseDir });
    assert.equal(own.indexDir, join(baseDir, 'my-index'));
  });

  it('reads a .env file, and real environment variables win over it', () => {
    const baseDir = emptyDir();
    writeFileSync(join(baseDir, '.env'), 'EMBEDDING_MODEL=from-file\nLOG_LEVEL=debug\n');
    const config = loadConfig({ env: { LOG_LEVEL: 'warn' }, baseDir });
    assert.equal(config.embeddingModel, 'from-file');
    assert.equal(config.logLevel, 'warn');
  });

  it('loads the file named by ENV_FILE and refuses a named file that does not exist', () => {
    const baseDir = emptyDir();
    writeFileSync(join(baseDir, 'other.env'), 'ALLOW_REMOTE_MODELS=false\n');
    assert.equal(loadConfig({ env: { ENV_FILE: 'other.env' }, baseDir }).allowRemoteModels, false);
    const problems = problemsOf({ ENV_FILE: 'missing.env' }, baseDir);
    assert.match(problems[0] ?? '', /ENV_FILE=.*missing\.env.*cannot read it/);
  });

  it('reports every wrong setting at once, one line each naming the setting and what is expected', () => {
    const baseDir = emptyDir();
    writeFileSync(join(baseDir, 'a-file'), 'not a folder');
    const problems = problemsOf(
      {
        INDEX_DIR: 'a-file',
        ALLOW_REMOTE_MODELS: 'maybe',
        LOG_LEVEL: 'loud',
        DISCORD_API_URL: 'ftp://example',
        DISCORD_GUILD_ID: '12ab',
        SEARCH_EF: '5',
        MODELS_DIR: 'no-such-folder',
        MIN_RELEVANCE: '2',
        ANSWER_CHANNEL_IDS: '123456789012345678, general',
        FEEDS_FILE: '.',
      },
      baseDir,
    );
    assert.equal(problems.length, 10);
    for (const problem of problems) assert.ok(!problem.includes('\n'), 'one line per problem');
    const find = (name: string) => problems.find((problem) => problem.startsWith(`${name}=`)) ?? '';
    assert.match(find('INDEX_DIR'), /a-file is a file; expected a folder/);
    assert.match(find('ALLOW_REMOTE_MODELS'), /expected true or false/);
    assert.match(find('LOG_LEVEL'), /expected one of fatal, error, warn, info/);
    assert.match(find('DISCORD_API_URL'), /expected an http/);
    assert.match(find('DISCORD_GUILD_ID'), /expected a Discord id/);
    assert.match(find('SEARCH_EF'), /expected a whole number from 10 to 10000/);
    assert.match(find('MODELS_DIR'), /does not exist; expected an existing folder/);
    assert.match(find('MIN_RELEVANCE'), /expected a number from 0 to 1/);
    assert.match(find('ANSWER_CHANNEL_IDS'), /not an id: general/);
    assert.match(find('FEEDS_FILE'), /is a folder; expected a file/);
  });

  it('never repeats the token in its error message', () => {
    const problems = problemsOf({ DISCORD_TOKEN: 'secret token-value' });
    assert.equal(problems.length, 1);
    assert.ok(!problems[0]?.includes('secret'));
  });

  it('keeps the trailing space of prefixes and treats empty values as unset', () => {
    const config = loadConfig({
      env: { EMBEDDING_QUERY_PREFIX: 'query: ', EMBEDDING_PASSAGE_PREFIX: '', DISCORD_TOKEN: '  ' },
      baseDir: emptyDir(),
    });
    assert.equal(config.embeddingQueryPrefix, 'query: ');
    assert.equal(config.embeddingPassagePrefix, undefined);
    assert.equal(config.discordToken, undefined);
  });

  it('documents every setting in .env.example', () => {
    const example = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
    const documented = new Set([...example.matchAll(/^#?\s*([A-Z_]+)=/gm)].map((match) => match[1]));
    const missing = SETTING_NAMES.filter((name) => !documented.has(name));
    assert.deepEqual(missing, []);
  });

  it('writes .env.example, the README table and docs/settings.md from the one declaration of the settings', () => {
    for (const file of settingsFiles(`${PROJECT_ROOT}/`)) {
      assert.equal(file.now, file.wanted, `${file.path}: run npm run settings-docs`);
    }
  });

  it('reads, for every setting left unset, the default its documentation names', () => {
    const baseDir = emptyDir();
    const config = loadConfig({ env: {}, baseDir });
    const literal = (declared: string) => !/^(|per model|calibrated)$/.test(declared);
    for (const [key, declared] of Object.entries(SETTINGS)) {
      if (!literal(declared.default)) continue;
      const value = config[key as keyof typeof config];
      const expected = declared.default.startsWith('DATA_DIR/')
        ? join(baseDir, 'data', declared.default.slice('DATA_DIR/'.length))
        : ['corpus', 'data'].includes(declared.default)
          ? join(baseDir, declared.default)
          : declared.default;
      assert.equal(String(value).replace(/\/$/, ''), expected, declared.name);
    }
  });
});

describe('check-config', () => {
  it('names settings as people set them, and fails offline when a missing model cannot be had', async () => {
    const modelCacheDir = emptyDir();
    const env = {
      EMBEDDING_MODEL: 'someone/unknown-model',
      ALLOW_REMOTE_MODELS: 'true',
      // Nothing listens on port 9 of loopback: the hub cannot be reached.
      MODEL_HUB_URL: 'http://127.0.0.1:9',
      MODEL_CACHE_DIR: modelCacheDir,
    };
    const result = await runNode(['src/cli/check-config.ts'], env);
    assert.equal(result.code, 1, result.stdout);
    assert.match(result.stdout, /^EMBEDDING_MODEL: someone\/unknown-model$/m);
    assert.match(result.stdout, /^FALSE_ANSWER_RATE: 0\.01$/m);
    assert.doesNotMatch(result.stdout, /embeddingModel|will be downloaded/);
    assert.match(result.stderr, /Cannot download the embedding model "someone\/unknown-model": no network connection/);
  });
});

describe('a command line with a wrong setting', () => {
  it('exits non-zero with one clear line, not a stack trace', async () => {
    const baseDir = emptyDir();
    writeFileSync(join(baseDir, 'index-file'), '');
    const result = await runNode(['src/cli/check-config.ts'], { INDEX_DIR: join(baseDir, 'index-file') });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^Configuration error: INDEX_DIR=".*index-file": .*is a file; expected a folder$/m);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  });
});

describe('--help', () => {
  it("works for every npm script that runs the project's own code, as package.json lists them", async () => {
    const { scripts } = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const entries = Object.entries(scripts).flatMap(([name, command]) => {
      // The file a script runs: `tsx FILE`, `node --import tsx FILE`, or compiled `node dist/….js` (its source).
      const file = /(?:^|\s)((?:src|scripts|bench|dist)\/[\w/.-]+\.(?:ts|js))(?:\s|$)/.exec(command)?.[1];
      return file && !command.includes('--test') ? [[name, file.replace(/^dist\/(.*)\.js$/, 'src/$1.ts')]] : [];
    });
    assert.ok(entries.length >= 14, JSON.stringify(entries));
    for (const [name, file] of entries) {
      const result = await runNode([file as string, '--help']);
      assert.equal(result.code, 0, `npm run ${name} -- --help: ${result.stderr}`);
      assert.match(result.stdout, /^Usage: npm /, `npm run ${name} -- --help`);
    }
  });

  it('prints the usage and exits 0 for index, ask, eval and cross-validate', async () => {
    for (const [entry, usage] of [
      ['src/cli/index-corpus.ts', /^Usage: npm run index/],
      ['src/cli/ask.ts', /^Usage: npm run ask -- "your question"/],
      ['src/cli/eval.ts', /^Usage: npm run eval -- \[FILE\.jsonl …\] \[--half dev\|test\]/],
      ['src/cli/cross-validate.ts', /^Usage: npm run cross-validate/],
    ] as const) {
      const result = await runNode([entry, '--help']);
      assert.equal(result.code, 0, `${entry}: ${result.stderr}`);
      assert.match(result.stdout, usage);
      const wrong = await runNode([entry, '--no-such-option']);
      assert.equal(wrong.code, 2, entry);
      assert.match(wrong.stderr, /Unknown option '--no-such-option'[\s\S]*Usage: npm run/);
    }
  });

  it('explains each flag with the one help text it is declared with', () => {
    const command: Command<'json' | 'half'> = { synopsis: 'npm run x', flags: ['json', 'half'], about: 'Does x.' };
    assert.deepEqual(usageOf(command).split('\n'), [
      'Usage: npm run x -- [--json] [--half dev|test]',
      'Does x.',
      'Options:',
      `  --json           ${FLAGS.json.help}`,
      `  --half dev|test  ${FLAGS.half.help}`,
    ]);
  });
});

describe('package.json', () => {
  it('allows the install script of every dependency that has one, so npm 12 still builds the native addons', () => {
    const { allowScripts = {} } = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
      allowScripts?: Record<string, boolean>;
    };
    const { packages } = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { hasInstallScript?: boolean }>;
    };
    const withScripts = Object.entries(packages)
      .filter(([path, entry]) => path !== '' && entry.hasInstallScript === true)
      .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));
    assert.ok(withScripts.includes('hnswlib-node'), JSON.stringify(withScripts));
    assert.deepEqual(
      withScripts.filter((name) => allowScripts[name] !== true),
      [],
      'run `npm install-scripts approve NAME` (npm 12 skips unapproved install scripts, leaving addons unbuilt)',
    );
  });
});
