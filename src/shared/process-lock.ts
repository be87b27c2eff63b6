/**
 * A lock file naming the process that holds it: its pid and, where the system tells (Linux's /proc), when that
 * process started — so a lock left by a process that died is taken over even when its pid has been reused by
 * another process since.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

interface LockHolder {
  pid: number;
  /** The process's start time in clock ticks since boot (field 22 of /proc/PID/stat), when known. */
  started?: string;
}

/** When the process started, as the system counts it; undefined where that cannot be read. */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count fields after its end.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(path: string): LockHolder | undefined {
  const text = readFileSync(path, 'utf8').trim();
  // Older locks hold the bare pid.
  if (/^\d+$/.test(text)) return { pid: Number(text) };
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (typeof value.pid !== 'number' || !Number.isInteger(value.pid) || value.pid <= 0) return undefined;
    return typeof value.started === 'string' ? { pid: value.pid, started: value.started } : { pid: value.pid };
  } catch {
    return undefined;
  }
}

/**
 * The pid of the live process that holds the lock at `path`, or undefined when none does; with `reentrant`,
 * a lock this process holds counts as free.
 */
export function lockHolder(path: string, reentrant = false): number | undefined {
  let holder: LockHolder | undefined;
  try {
    holder = readHolder(path);
  } catch {
    return undefined;
  }
  if (!holder || (reentrant && holder.pid === process.pid) || !isAlive(holder.pid)) return undefined;
  if (holder.started !== undefined && processStart(holder.pid) !== holder.started) return undefined;
  return holder.pid;
}

/**
 * Takes the lock at `path` for this process, or returns the pid of the live process that holds it. A stale
 * lock (its process gone, or its pid now another process's) is taken over. Errors writing it are thrown.
 */
export function tryLock(path: string, reentrant = false): { release: () => void } | { heldBy: number } {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const started = processStart(process.pid);
      writeFileSync(path, JSON.stringify({ pid: process.pid, ...(started ? { started } : {}) }), { flag: 'wx' });
      return { release: () => rmSync(path, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = lockHolder(path, reentrant);
      if (holder !== undefined) return { heldBy: holder };
      rmSync(path, { force: true });
    }
  }
  throw new Error(`cannot take the lock ${path}`);
}
