/**
 * Writes the two tiny offline models the tests use, as real transformers.js model folders:
 *
 * - `test-embedder`: a feature-extraction model. A WordPiece tokenizer whose vocabulary is the words of the
 *   seed corpus (plus characters, so every ASCII word can still be spelled), and an int8 token-embedding table
 *   whose rows are deterministic pseudo-random unit vectors scaled by the token's inverse document frequency
 *   in that corpus. Mean pooling over it is a weighted bag of words: texts that share (rare) words get similar
 *   vectors, texts that share none do not. That is real signal, so retrieval tests can pass or fail for real.
 * - `test-reranker`: a cross-encoder over the same tokenizer and table that scores a (question, passage) pair
 *   by the cosine of the two halves' pooled vectors, as logits [batch, 1].
 *
 * Both are `onnx/model_quantized.onnx` (opset 13, IR version 8, which onnxruntime-node 1.14 accepts).
 * Deterministic: the same seed corpus always gives byte-identical files.
 *
 * Usage: tsx scripts/make-test-models.ts [--if-missing] [outDir]   (default test/fixtures/models)
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import onnxProto from 'onnx-proto';
import { prng } from './random.js';

const { onnx } = onnxProto;

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const SEED_CORPUS = join(root, 'test/fixtures/seed-corpus');

export const EMBEDDER_NAME = 'test-embedder';
export const SHIFTED_EMBEDDER_NAME = 'test-embedder-shifted';
export const RERANKER_NAME = 'test-reranker';
/**
 * The shifted twin adds this common vector to every token vector, so that every text's pooled vector leans the
 * same way: all cosines sit high and close together (unrelated passages about 0.9), as with real retrieval
 * models whose unrelated pairs score 0.5 or more. Same words, same order of magnitude of evidence, another
 * scale: what the index's own calibration must absorb.
 */
const SHIFT_LENGTH = 1.0;
const DIMENSIONS = 64;
const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
// Punctuation gets its own tokens (zero vectors) so it is neither [UNK] nor part of a word.
const PUNCTUATION = [...`!"#$%&'()*+,-./:;<=>?@[\\]^_\`{|}~`, '‘', '’', '“', '”', '–', '—', '…', '£', '€'];
const CHARACTERS = [...'abcdefghijklmnopqrstuvwxyz0123456789'];

/** FNV-1a, so each token's vector depends on its text only, not on its position in the vocabulary. */
function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function unitVector(token: string): number[] {
  const random = prng(hashString(token));
  const vector: number[] = [];
  for (let i = 0; i < DIMENSIONS; i += 2) {
    // Box-Muller, both outputs: Gaussian coordinates give directions spread evenly over the sphere.
    const u = Math.max(random(), 1e-12);
    const v = random();
    const r = Math.sqrt(-2 * Math.log(u));
    vector.push(r * Math.cos(2 * Math.PI * v), r * Math.sin(2 * Math.PI * v));
  }
  const norm = Math.hypot(...vector);
  return vector.map((x) => x / norm);
}

/** The same words BertNormalizer + BertPreTokenizer produce: lower-cased, accents stripped, split at non-alphanumerics. */
export function words(text: string): string[] {
  const normalized = text
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{Mn}/gu, '');
  return normalized.match(/[\p{L}\p{N}]+/gu) ?? [];
}

interface Vocabulary {
  tokens: string[];
  weights: number[];
}

function buildVocabulary(paragraphs: string[]): Vocabulary {
  const documentFrequency = new Map<string, number>();
  for (const paragraph of paragraphs) {
    for (const word of new Set(words(paragraph))) {
      if (/^[a-z0-9]+$/.test(word)) documentFrequency.set(word, (documentFrequency.get(word) ?? 0) + 1);
    }
  }
  const corpusWords = [...documentFrequency.keys()].sort();
  // BM25's idf, floored: words found in most paragraphs ("the", "of") carry almost no weight, as in a trained model.
  const idf = (df: number) => Math.max(0.05, Math.log((paragraphs.length - df + 0.5) / (df + 0.5)));
  const unseenWeight = idf(1) / 2; // spelled-out unknown words count, but less than a known rare word
  const tokens: string[] = [];
  const weights: number[] = [];
  const add = (token: string, weight: number) => {
    if (tokens.includes(token)) return;
    tokens.push(token);
    weights.push(weight);
  };
  for (const token of SPECIAL_TOKENS) add(token, 0);
  for (const token of PUNCTUATION) add(token, 0);
  for (const character of CHARACTERS) add(character, unseenWeight);
  for (const character of CHARACTERS) add(`##${character}`, unseenWeight);
  for (const word of corpusWords) add(word, idf(documentFrequency.get(word) ?? 1));
  return { tokens, weights };
}

function readSeedParagraphs(): string[] {
  const files = readdirSync(SEED_CORPUS).sort();
  if (files.length === 0) throw new Error(`No seed articles in ${SEED_CORPUS}`);
  return files.flatMap((file) =>
    readFileSync(join(SEED_CORPUS, file), 'utf8')
      .split(/\n\s*\n/)
      .map((paragraph) => paragraph.trim())
      .filter(Boolean),
  );
}

function tokenizerJson(tokens: string[]): object {
  const id = (token: string) => tokens.indexOf(token);
  const special = (token: string, typeId: number) => ({ SpecialToken: { id: token, type_id: typeId } });
  const sequence = (name: 'A' | 'B', typeId: number) => ({ Sequence: { id: name, type_id: typeId } });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((content) => ({
      id: id(content),
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [special('[CLS]', 0), sequence('A', 0), special('[SEP]', 0)],
      pair: [special('[CLS]', 0), sequence('A', 0), special('[SEP]', 0), sequence('B', 1), special('[SEP]', 1)],
      special_tokens: Object.fromEntries(
        ['[CLS]', '[SEP]'].map((token) => [token, { id: token, ids: [id(token)], tokens: [token] }]),
      ),
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(tokens.map((token, index) => [token, index])),
    },
  };
}

const TOKENIZER_CONFIG = {
  tokenizer_class: 'BertTokenizer',
  do_lower_case: true,
  model_max_length: 512,
  pad_token: '[PAD]',
  unk_token: '[UNK]',
  cls_token: '[CLS]',
  sep_token: '[SEP]',
  mask_token: '[MASK]',
};

type Node = InstanceType<typeof onnx.NodeProto>;
type Tensor = InstanceType<typeof onnx.TensorProto>;
type ValueInfo = InstanceType<typeof onnx.ValueInfoProto>;

function node(opType: string, inputs: string[], outputs: string[], attribute: object[] = []): Node {
  return onnx.NodeProto.create({ opType, input: inputs, output: outputs, name: outputs[0], attribute });
}

function int64Tensor(name: string, values: number[]): Tensor {
  return onnx.TensorProto.create({
    name,
    dataType: onnx.TensorProto.DataType.INT64,
    dims: [values.length],
    int64Data: values,
  });
}

function floatScalar(name: string, value: number): Tensor {
  return onnx.TensorProto.create({ name, dataType: onnx.TensorProto.DataType.FLOAT, dims: [], floatData: [value] });
}

function tensorInfo(name: string, elemType: number, shape: (string | number)[]): ValueInfo {
  const dim = shape.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d }));
  return onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType, shape: { dim } } } });
}

/** The int8 table with its scale: `DequantizeLinear(Gather(table, input_ids))` gives float token vectors. */
function embeddingTable(vocabulary: Vocabulary, shift?: number[]): { initializers: Tensor[]; nodes: Node[] } {
  const rows = vocabulary.tokens.map((token, index) =>
    unitVector(token).map((x, d) => x * (vocabulary.weights[index] ?? 0) + (shift?.[d] ?? 0)),
  );
  const maxAbs = Math.max(...rows.flat().map(Math.abs));
  const scale = maxAbs / 127;
  const quantized = new Int8Array(rows.flat().map((x) => Math.round(x / scale)));
  const table = onnx.TensorProto.create({
    name: 'embedding_table',
    dataType: onnx.TensorProto.DataType.INT8,
    dims: [vocabulary.tokens.length, DIMENSIONS],
    rawData: new Uint8Array(quantized.buffer),
  });
  const zeroPoint = onnx.TensorProto.create({
    name: 'zero_point',
    dataType: onnx.TensorProto.DataType.INT8,
    dims: [],
    rawData: new Uint8Array([0]),
  });
  return {
    initializers: [table, floatScalar('scale', scale), zeroPoint],
    nodes: [
      node('Gather', ['embedding_table', 'input_ids'], ['token_codes'], [{ name: 'axis', type: 2, i: 0 }]),
      node('DequantizeLinear', ['token_codes', 'scale', 'zero_point'], ['token_vectors']),
    ],
  };
}

const INT64 = onnx.TensorProto.DataType.INT64;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const TEXT_INPUTS = ['input_ids', 'attention_mask', 'token_type_ids'].map((name) =>
  tensorInfo(name, INT64, ['batch', 'tokens']),
);

function serialize(graph: InstanceType<typeof onnx.GraphProto>, irVersion: number): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion,
    producerName: 'corpus-quote-bot/scripts/make-test-models.ts',
    opsetImport: [{ domain: '', version: 13 }],
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}

function embedderModel(vocabulary: Vocabulary, irVersion: number, shift?: number[]): Uint8Array {
  const table = embeddingTable(vocabulary, shift);
  // Identity renames the dequantized vectors to the output name the feature-extraction pipeline reads.
  const graph = onnx.GraphProto.create({
    name: 'test_embedder',
    node: [...table.nodes, node('Identity', ['token_vectors'], ['last_hidden_state'])],
    initializer: table.initializers,
    input: TEXT_INPUTS,
    output: [tensorInfo('last_hidden_state', FLOAT, ['batch', 'tokens', DIMENSIONS])],
  });
  return serialize(graph, irVersion);
}

function rerankerModel(vocabulary: Vocabulary, irVersion: number): Uint8Array {
  const table = embeddingTable(vocabulary);
  const cast = (input: string, output: string) => node('Cast', [input], [output], [{ name: 'to', type: 2, i: FLOAT }]);
  const pooled = (mask: string, output: string) => [
    node('Unsqueeze', [mask, 'axis_last'], [`${mask}_3d`]),
    node('Mul', ['token_vectors', `${mask}_3d`], [`${output}_masked`]),
    node('ReduceSum', [`${output}_masked`, 'axis_tokens'], [`${output}_sum`], [{ name: 'keepdims', type: 2, i: 0 }]),
    node('Mul', [`${output}_sum`, `${output}_sum`], [`${output}_sq`]),
    node('ReduceSum', [`${output}_sq`, 'axis_tokens'], [`${output}_norm_sq`], [{ name: 'keepdims', type: 2, i: 1 }]),
    node('Add', [`${output}_norm_sq`, 'epsilon'], [`${output}_norm_sq_safe`]),
    node('Sqrt', [`${output}_norm_sq_safe`], [`${output}_norm`]),
    node('Div', [`${output}_sum`, `${output}_norm`], [output]),
  ];
  const graph = onnx.GraphProto.create({
    name: 'test_reranker',
    node: [
      ...table.nodes,
      cast('attention_mask', 'mask'),
      cast('token_type_ids', 'segment'),
      node('Mul', ['mask', 'segment'], ['passage_mask']),
      node('Sub', ['mask', 'passage_mask'], ['question_mask']),
      ...pooled('question_mask', 'question_vector'),
      ...pooled('passage_mask', 'passage_vector'),
      node('Mul', ['question_vector', 'passage_vector'], ['products']),
      node('ReduceSum', ['products', 'axis_tokens'], ['cosine'], [{ name: 'keepdims', type: 2, i: 1 }]),
      // Spread cosines into logit range: cosine 0.3 is even odds.
      node('Mul', ['cosine', 'logit_scale'], ['scaled']),
      node('Sub', ['scaled', 'logit_bias'], ['logits']),
    ],
    initializer: [
      ...table.initializers,
      int64Tensor('axis_last', [2]),
      int64Tensor('axis_tokens', [1]),
      floatScalar('epsilon', 1e-9),
      floatScalar('logit_scale', 10),
      floatScalar('logit_bias', 3),
    ],
    input: TEXT_INPUTS,
    output: [tensorInfo('logits', FLOAT, ['batch', 1])],
  });
  return serialize(graph, irVersion);
}

function bertConfig(extra: object): object {
  return {
    model_type: 'bert',
    architectures: ['BertModel'],
    hidden_size: DIMENSIONS,
    max_position_embeddings: 512,
    vocab_size: 0,
    ...extra,
  };
}

/** Writes into a temporary folder first, so an interrupted run never leaves a half-written model behind. */
function writeModel(outDir: string, name: string, config: object, tokenizer: object, onnxBytes: Uint8Array): void {
  const target = join(outDir, name);
  const temporary = `${target}.tmp-${process.pid}`;
  rmSync(temporary, { recursive: true, force: true });
  mkdirSync(join(temporary, 'onnx'), { recursive: true });
  writeFileSync(join(temporary, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  writeFileSync(join(temporary, 'tokenizer.json'), JSON.stringify(tokenizer));
  writeFileSync(join(temporary, 'tokenizer_config.json'), `${JSON.stringify(TOKENIZER_CONFIG, null, 2)}\n`);
  writeFileSync(join(temporary, 'onnx/model_quantized.onnx'), onnxBytes);
  rmSync(target, { recursive: true, force: true });
  renameSync(temporary, target);
}

/**
 * `irVersion` other than 8 exists for tests of the error a user sees with a model that onnxruntime-node 1.14
 * refuses (IR version 9 or newer).
 */
export function makeTestModels(outDir: string, irVersion = 8): void {
  const vocabulary = buildVocabulary(readSeedParagraphs());
  const tokenizer = tokenizerJson(vocabulary.tokens);
  const vocabSize = vocabulary.tokens.length;
  writeModel(
    outDir,
    EMBEDDER_NAME,
    bertConfig({ vocab_size: vocabSize }),
    tokenizer,
    embedderModel(vocabulary, irVersion),
  );
  writeModel(
    outDir,
    SHIFTED_EMBEDDER_NAME,
    bertConfig({ vocab_size: vocabSize }),
    tokenizer,
    embedderModel(
      vocabulary,
      irVersion,
      unitVector('[common direction]').map((x) => x * SHIFT_LENGTH),
    ),
  );
  writeModel(
    outDir,
    RERANKER_NAME,
    bertConfig({
      vocab_size: vocabSize,
      architectures: ['BertForSequenceClassification'],
      num_labels: 1,
      id2label: { 0: 'LABEL_0' },
      label2id: { LABEL_0: 0 },
    }),
    tokenizer,
    rerankerModel(vocabulary, irVersion),
  );
}

function modelsExist(outDir: string): boolean {
  return [EMBEDDER_NAME, SHIFTED_EMBEDDER_NAME, RERANKER_NAME].every((name) =>
    existsSync(join(outDir, name, 'onnx/model_quantized.onnx')),
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args.includes('--help')) {
    console.log(
      'Usage: npm run test-model [-- FOLDER] [--if-missing]\nWrites the tiny offline test models (default test/fixtures/models); --if-missing only when they are not there.',
    );
    process.exit(0);
  }
  const ifMissing = args.includes('--if-missing');
  const outDir = resolve(args.find((arg) => !arg.startsWith('--')) ?? join(root, 'test/fixtures/models'));
  if (ifMissing && modelsExist(outDir)) process.exit(0);
  makeTestModels(outDir);
  console.log(`Wrote ${EMBEDDER_NAME}, ${SHIFTED_EMBEDDER_NAME} and ${RERANKER_NAME} to ${outDir}`);
}
