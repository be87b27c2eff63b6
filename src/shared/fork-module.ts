/** Child processes of the bot's own modules. */
import { fork, type ChildProcess, type StdioOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Forks the module `name` (without extension) next to `moduleUrl`: its .ts file under tsx (development,
 * tests), its .js file when the project runs compiled. Messages use structured cloning ('advanced').
 */
export function forkSibling(moduleUrl: string, name: string, stdio: StdioOptions): ChildProcess {
  const typescript = moduleUrl.endsWith('.ts');
  return fork(fileURLToPath(new URL(`./${name}.${typescript ? 'ts' : 'js'}`, moduleUrl)), [], {
    serialization: 'advanced',
    execArgv: typescript ? ['--import', 'tsx'] : [],
    stdio,
  });
}
