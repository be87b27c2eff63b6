import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Starts a TypeScript entry point of the project in a child process, the way `npm run` does, with the given
 * environment on top of a minimal one (no inherited .env settings leak in: ENV_FILE points at nothing unless
 * set). Standard input gets `input` and is closed.
 */
export function spawnProject(
  args: string[],
  env: Record<string, string> = {},
  options: { cwd?: string; input?: string } = {},
): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: options.cwd ?? PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ENV_FILE: '/dev/null', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end(options.input ?? '');
  return child;
}

/**
 * Runs a TypeScript entry point of the project in a child process, the way `npm run` does, with the given
 * environment on top of a minimal one (no inherited .env settings leak in: ENV_FILE points at nothing unless set).
 */
export function runNode(
  args: string[],
  env: Record<string, string> = {},
  options: { timeoutMs?: number; cwd?: string; input?: string } = {},
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawnProject(args, env, options);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
