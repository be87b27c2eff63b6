import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, it } from 'node:test';
import { PROJECT_ROOT } from './helpers/process.js';

/** src/'s folders, lowest first: a folder may import only from folders before it (docs/development.md). */
const LAYERS = [
  'types',
  'shared',
  'logging',
  'config',
  'text',
  'corpus',
  'embedding',
  'index',
  'retrieval',
  'answering',
  'evaluation',
  'present',
  'web',
  'app',
  'workers',
  'discord',
  'cli',
];

const SRC = join(PROJECT_ROOT, 'src');

function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** Every relative import (static, `export … from` and dynamic) of a file, as src-relative paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((match) => match[1] ?? '');
  return specifiers.map((specifier) => relative(SRC, normalize(join(dirname(file), specifier))));
}

const layerOf = (srcPath: string) => srcPath.split('/')[0] ?? '';

describe('architecture', () => {
  const files = sourceFiles(SRC);

  it('every folder of src/ has a place in the layers', () => {
    const folders = new Set(files.map((file) => layerOf(relative(SRC, file))));
    for (const folder of folders) assert.ok(LAYERS.includes(folder), `src/${folder} is not in LAYERS`);
  });

  it('imports go from a higher layer to a lower one only, so no two folders import each other', () => {
    const upward: string[] = [];
    for (const file of files) {
      const from = layerOf(relative(SRC, file));
      for (const target of importsOf(file)) {
        const to = layerOf(target);
        if (LAYERS.indexOf(to) > LAYERS.indexOf(from)) upward.push(`src/${relative(SRC, file)} → src/${target}`);
      }
    }
    assert.deepEqual(upward, []);
  });
});
