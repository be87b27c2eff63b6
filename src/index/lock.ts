/** One index writer at a time: a lock file in INDEX_DIR naming the process that writes. */
import { UserError } from '../shared/errors.js';
import { tryLock } from '../shared/process-lock.js';
import { indexWriteError } from './versions.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const LOCK_FILE = '.lock';

/** One build at a time per index folder. A lock left by a process that died is taken over. */
export function acquireIndexLock(indexDir: string): () => void {
  const path = join(indexDir, LOCK_FILE);
  let taken: ReturnType<typeof tryLock>;
  try {
    mkdirSync(indexDir, { recursive: true });
    taken = tryLock(path, true);
  } catch (error) {
    throw indexWriteError(error, indexDir);
  }
  if ('heldBy' in taken) {
    throw new UserError(
      `Another indexing run (process ${taken.heldBy}) is writing ${indexDir}. Wait for it to finish.`,
    );
  }
  return taken.release;
}
