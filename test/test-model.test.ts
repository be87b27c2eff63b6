import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { makeTestModels } from '../scripts/make-test-models.js';
import { InProcessEmbedder, cosine } from '../src/embedding/embedder.js';
import { readOnnxIrVersion } from '../src/embedding/load-model.js';
import { resolveEmbeddingSpec } from '../src/embedding/model-spec.js';
import { UserError } from '../src/shared/errors.js';
import { TEST_MODELS_DIR, testConfig } from './helpers/models.js';

function folderDigest(folder: string): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else hash.update(name).update(readFileSync(path));
    }
  };
  walk(folder);
  return hash.digest('hex');
}

describe('the generated test embedding model', () => {
  let embedder: InProcessEmbedder;
  before(async () => {
    const config = testConfig();
    embedder = await InProcessEmbedder.load(resolveEmbeddingSpec(config), config);
  });

  it('is a complete transformers.js model folder of a few hundred KB at most, IR version 8', () => {
    const folder = join(TEST_MODELS_DIR, 'test-embedder');
    for (const file of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model_quantized.onnx']) {
      assert.ok(statSync(join(folder, file)).size > 0, file);
    }
    const total = readdirSync(folder, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .reduce((sum, entry) => sum + statSync(join(entry.parentPath, entry.name)).size, 0);
    assert.ok(total < 400_000, `model folder is ${total} bytes`);
    assert.equal(readOnnxIrVersion(join(folder, 'onnx/model_quantized.onnx')), 8);
  });

  it('is deterministic: generating it again gives identical files', () => {
    const again = mkdtempSync(join(tmpdir(), 'test-model-'));
    makeTestModels(again);
    assert.equal(folderDigest(join(again, 'test-embedder')), folderDigest(join(TEST_MODELS_DIR, 'test-embedder')));
    assert.equal(folderDigest(join(again, 'test-reranker')), folderDigest(join(TEST_MODELS_DIR, 'test-reranker')));
  });

  it('gives unit vectors, and texts that share words are more similar than texts that share none', async () => {
    assert.equal(embedder.dimensions, 64);
    const [walkout, walkoutAgain, cake] = await embedder.embedPassages(
      [
        'Consultants covered emergencies during the walkout',
        'During the walkout, emergencies were covered by consultants',
        'A sponge cake with jam and cream',
      ],
      2,
    );
    assert.ok(walkout && walkoutAgain && cake);
    assert.ok(Math.abs(cosine(walkout, walkout) - 1) < 1e-4, 'normalised');
    const shared = cosine(walkout, walkoutAgain);
    const unrelated = cosine(walkout, cake);
    assert.ok(shared > unrelated + 0.2, `shared words ${shared.toFixed(3)} vs none ${unrelated.toFixed(3)}`);
  });

  it('embeds a query the same way in a batch of one as in a larger batch', async () => {
    const alone = await embedder.embedQuery('Who covered emergencies?');
    const [inBatch] = await embedder.embedPassages(['Who covered emergencies?', 'another text entirely'], 2);
    assert.ok(inBatch);
    assert.ok(cosine(alone, inBatch) > 0.999);
  });
});

describe('loading a model that cannot be had', () => {
  it('names the model, where it looked, and how to fix it', async () => {
    const config = testConfig({ EMBEDDING_MODEL: 'no-such-model' });
    await assert.rejects(
      InProcessEmbedder.load(resolveEmbeddingSpec(config), config),
      (error: unknown) =>
        error instanceof UserError &&
        /Cannot find the embedding model "no-such-model": looked in .*test\/fixtures\/models\/no-such-model/.test(
          error.message,
        ) &&
        /ALLOW_REMOTE_MODELS=false/.test(error.message),
    );
  });

  it('looks in MODELS_DIR before the download cache', async () => {
    // A broken copy under the same id in the download cache must not shadow the model in MODELS_DIR.
    const cacheDir = mkdtempSync(join(tmpdir(), 'cache-'));
    makeTestModels(cacheDir, 9);
    const config = testConfig({ MODEL_CACHE_DIR: cacheDir });
    const embedder = await InProcessEmbedder.load(resolveEmbeddingSpec(config), config);
    assert.equal(embedder.dimensions, 64);
  });

  it('says so when the ONNX file is IR version 9 or newer', async () => {
    const modelsDir = mkdtempSync(join(tmpdir(), 'ir9-'));
    makeTestModels(modelsDir, 9);
    const config = testConfig({ MODELS_DIR: modelsDir });
    await assert.rejects(
      InProcessEmbedder.load(resolveEmbeddingSpec(config), config),
      /is ONNX IR version 9, but transformers\.js 2\.x runs onnxruntime-node 1\.14, which reads IR version 8 at most/,
    );
  });
});
