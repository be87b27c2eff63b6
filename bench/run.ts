/**
 * `npm run bench [-- --full] [-- --quick] [-- --report-only]`: measures vector search, answering latency,
 * indexing and start-up, and writes bench/results/results.json, recall-vs-speed.svg and report.md.
 * --full adds the 1M-vector run (long: about 20 minutes of index building on 2 cores); --quick shrinks
 * every size for a smoke run; --report-only redraws the report and chart from an existing results.json.
 */
import { cpus } from 'node:os';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCommandLine, type Command } from '../src/cli/flags.js';
import { runCli } from '../src/cli/run-cli.js';
import { loadConfig } from '../src/config/config.js';
import { measureModelCosts, type ModelCosts, type ModelProfile } from './model-costs.js';
import { benchLatency, buildSeedIndex, copySeedIndexEnv } from './pipeline.js';
import { renderChart, renderReport } from './report.js';
import { benchVectors, type VectorResult } from './vectors.js';
import { DEFAULT_HNSW } from '../src/index/store.js';

const COMMAND: Command<'quick' | 'full' | 'report-only' | 'out'> = {
  synopsis: 'npm run bench',
  flags: ['quick', 'full', 'report-only', 'out'],
  about: `Measures vector search, answering latency, indexing and start-up with the test model and the model the
settings name (ENV_FILE, .env, or the defaults), and writes bench/results/.`,
};

await runCli(async () => {
  const commandLine = parseCommandLine(COMMAND);
  if (!commandLine) return 0;
  const { values } = commandLine;
  const quick = values.quick === true;
  // A smoke run never overwrites the committed results.
  const out = values.out ?? fileURLToPath(new URL(quick ? './results-quick/' : './results/', import.meta.url));
  mkdirSync(out, { recursive: true });
  if (values['report-only']) {
    const saved = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Parameters<typeof renderReport>[0];
    writeFileSync(join(out, 'recall-vs-speed.svg'), renderChart(saved.vectors));
    writeFileSync(join(out, 'report.md'), renderReport(saved));
    return 0;
  }
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const started = performance.now();

  const machine = {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    date: new Date().toISOString(),
  };
  log(`bench on ${machine.cores} cores (${machine.cpu}), Node ${machine.node}`);

  const efs = [10, 20, 50, 100, 200, 400];
  const sizes = quick ? [2_000, 10_000] : [10_000, 100_000, ...(values.full ? [1_000_000] : [])];
  const vectors: VectorResult[] = [];
  for (const size of sizes) {
    log(`vector search, ${size} passages`);
    vectors.push(
      benchVectors(size, {
        m: DEFAULT_HNSW.m,
        efConstruction: DEFAULT_HNSW.efConstruction,
        efs,
        queries: size >= 100_000 ? 100 : 200,
        log,
      }),
    );
  }

  log('answering latency and event-loop blocking, seed corpus (66 passages), offline test model');
  const seedEnv = copySeedIndexEnv();
  await buildSeedIndex(seedEnv);
  const latencySeed = await benchLatency(seedEnv, log);

  // The offline test model, and the model the settings name (ENV_FILE or .env): on a user's machine their real
  // model, on the development machine the default model's timing twin (ENV_FILE=bench/twin.env).
  const toy: ModelProfile = { name: 'offline test model', env: { ENV_FILE: '.env.test' } };
  // Without ENV_FILE or a .env, the defaults: the settings' model is the default one.
  const envFile = process.env.ENV_FILE ?? (existsSync('.env') ? '.env' : undefined);
  const configuredEnv: Record<string, string> = envFile ? { ENV_FILE: envFile } : {};
  const configuredModel = loadConfig({
    env: { ...process.env, ...configuredEnv },
    baseDir: process.cwd(),
  }).embeddingModel;
  const profiles: ModelProfile[] = [
    toy,
    ...(configuredModel.startsWith('test-')
      ? []
      : [
          {
            name: configuredModel.startsWith('twin/') ? 'default model (timing twin)' : configuredModel,
            env: configuredEnv,
          },
        ]),
  ];
  const modelSizes = quick ? [20_000] : [20_000, 100_000];
  const models: ModelCosts[] = [];
  for (const profile of profiles) {
    for (const passages of modelSizes) {
      models.push(await measureModelCosts(profile, { passages, indexingSample: quick ? 800 : 2_400 }, log));
    }
  }

  const results = {
    machine,
    defaults: { ...DEFAULT_HNSW, searchEf: 100 },
    vectors,
    latency: { seed: latencySeed },
    models,
    totalSeconds: (performance.now() - started) / 1000,
    quick,
  };
  writeFileSync(join(out, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(out, 'recall-vs-speed.svg'), renderChart(vectors));
  writeFileSync(join(out, 'report.md'), renderReport(results));
  log(`done in ${results.totalSeconds.toFixed(0)} s: ${join(out, 'report.md')}`);
  return 0;
});
