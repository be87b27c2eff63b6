/** Small file-system helpers shared by every part that keeps state on disk. */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Writes a file so that readers only ever see the old content or the new, complete one: the data goes to a
 * hidden temporary file beside it (hidden, so the corpus reader never picks it up), which is then renamed
 * over the target. Creates the folder when needed.
 */
export function writeFileAtomic(path: string, data: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  writeFileSync(temporary, data);
  renameSync(temporary, path);
}
