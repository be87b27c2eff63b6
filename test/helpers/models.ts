import { join } from 'node:path';
import { loadConfig, type Config } from '../../src/config/config.js';
import type { IndexedPassage, PassageStore } from '../../src/index/passage-store.js';
import { PROJECT_ROOT } from './process.js';

export const TEST_MODELS_DIR = join(PROJECT_ROOT, 'test/fixtures/models');

/** The settings of .env.test (offline, fixture models), with per-test overrides, e.g. temporary folders. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ env: { ENV_FILE: '.env.test', ...overrides }, baseDir: PROJECT_ROOT });
}

/** Every passage of a store, by label. */
export function allPassages(store: PassageStore): IndexedPassage[] {
  return store.labels().flatMap((label) => store.get(label) ?? []);
}
