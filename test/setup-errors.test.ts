/**
 * Set-up mistakes a user makes, each answered by one line that names the setting and the fix: a model that
 * cannot be had (no network, downloads off, the wrong kind), and a DISCORD_API_URL that is not Discord.
 * Every server here listens on 127.0.0.1 only.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { InProcessEmbedder } from '../src/embedding/embedder.js';
import { resolveEmbeddingSpec } from '../src/embedding/model-spec.js';
import { CrossEncoder } from '../src/embedding/reranker.js';
import { checkDiscordApi } from '../src/discord/run-bot.js';
import { UserError } from '../src/shared/errors.js';
import { TEST_MODELS_DIR, testConfig } from './helpers/models.js';
import { runNode } from './helpers/process.js';

async function listen(
  handler: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** A port nothing listens on: opened, then closed again. */
async function closedPortUrl(): Promise<string> {
  const { url, server } = await listen(() => undefined);
  await new Promise((resolve) => server.close(resolve));
  return url;
}

const userError = (pattern: RegExp) => (error: unknown) => error instanceof UserError && pattern.test(error.message);

describe('models that cannot be had', () => {
  it('says there is no network to the model hub, and how to run offline, instead of "fetch failed"', async () => {
    const hub = await closedPortUrl();
    const config = testConfig({
      MODELS_DIR: '',
      EMBEDDING_MODEL: 'someone/not-downloaded-yet',
      ALLOW_REMOTE_MODELS: 'true',
      MODEL_HUB_URL: hub,
      MODEL_CACHE_DIR: mkdtempSync(join(tmpdir(), 'cache-')),
    });
    await assert.rejects(
      InProcessEmbedder.load(resolveEmbeddingSpec(config), config),
      userError(
        /^Cannot download the embedding model "someone\/not-downloaded-yet": no network connection to the model hub \(http:\/\/127\.0\.0\.1:\d+\/\)\. To run without network, copy the model folder into MODELS_DIR and set ALLOW_REMOTE_MODELS=false/,
      ),
    );
  });

  it('loads a model already in MODEL_CACHE_DIR with ALLOW_REMOTE_MODELS=false and no MODELS_DIR', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'cache-'));
    cpSync(join(TEST_MODELS_DIR, 'test-embedder'), join(cache, 'test-embedder'), { recursive: true });
    const config = testConfig({ MODELS_DIR: '', ALLOW_REMOTE_MODELS: 'false', MODEL_CACHE_DIR: cache });
    assert.equal(config.modelsDir, undefined);
    const embedder = await InProcessEmbedder.load(resolveEmbeddingSpec(config), config);
    assert.equal(embedder.dimensions, 64);
  });

  it('refuses a cross-encoder as EMBEDDING_MODEL and an embedding model as RERANK_MODEL, naming the setting', async () => {
    const crossAsEmbedder = testConfig({ EMBEDDING_MODEL: 'test-reranker' });
    await assert.rejects(
      InProcessEmbedder.load(resolveEmbeddingSpec(crossAsEmbedder), crossAsEmbedder),
      userError(/^EMBEDDING_MODEL="test-reranker" is a cross-encoder .*Set it as RERANK_MODEL/),
    );
    await assert.rejects(
      CrossEncoder.load('test-embedder', testConfig()),
      userError(/^RERANK_MODEL="test-embedder" is not a cross-encoder .*leave it empty\.$/),
    );
  });

  it('check-config fails when a model cannot be had, and loads the ones on disk', async () => {
    const good = await runNode(['src/cli/check-config.ts'], { ENV_FILE: '.env.test' });
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /^EMBEDDING_MODEL: "test-embedder" loads from .* \(64 dimensions\)$/m);
    const missing = await runNode(['src/cli/check-config.ts'], { ENV_FILE: '.env.test', EMBEDDING_MODEL: 'nope' });
    assert.equal(missing.code, 1);
    assert.match(
      missing.stderr,
      /^Error: Cannot find the embedding model "nope": looked in .*ALLOW_REMOTE_MODELS=true\.$/m,
    );
    const wrongKind = await runNode(['src/cli/check-config.ts'], {
      ENV_FILE: '.env.test',
      RERANK_MODEL: 'test-embedder',
    });
    assert.equal(wrongKind.code, 1);
    assert.match(wrongKind.stderr, /^Error: RERANK_MODEL="test-embedder" is not a cross-encoder/m);
  });
});

describe('a DISCORD_API_URL that is not Discord', () => {
  const servers: Server[] = [];
  after(() => {
    for (const server of servers) server.closeAllConnections();
    for (const server of servers) server.close();
  });
  const check = (url: string, timeoutMs?: number) =>
    checkDiscordApi({ ...testConfig(), discordApiUrl: url, discordToken: 'a-token' }, timeoutMs);

  it('names the setting when nothing listens there', async () => {
    const url = await closedPortUrl();
    await assert.rejects(
      check(url),
      userError(
        /^Cannot reach DISCORD_API_URL="http:\/\/127\.0\.0\.1:\d+": connection refused \(nothing listens there\)\./,
      ),
    );
  });

  it('names the setting when the server fails, answers with a web page, or does not answer', async () => {
    const failing = await listen((_request, response) => response.writeHead(500).end('oops'));
    const page = await listen((_request, response) =>
      response.writeHead(200, { 'content-type': 'text/html' }).end('<html>Welcome</html>'),
    );
    const silent = await listen(() => undefined);
    servers.push(failing.server, page.server, silent.server);
    await assert.rejects(
      check(failing.url),
      userError(/^DISCORD_API_URL=".*" answered HTTP 500 to GET \/gateway\/bot\./),
    );
    await assert.rejects(
      check(page.url),
      userError(
        /^DISCORD_API_URL=".*" answered with text\/html \(a web page\?\), not Discord's API\. Check the URL: it should end in \/api\.$/,
      ),
    );
    await assert.rejects(check(silent.url, 500), userError(/^DISCORD_API_URL=".*" did not answer within 0\.5 s\./));
  });
});
