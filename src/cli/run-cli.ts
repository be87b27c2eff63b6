/**
 * The one wrapper every command-line entry point runs in: known errors become short messages on stderr and a
 * non-zero exit code, never a stack trace (unless LOG_LEVEL=debug asks for it).
 */
import { ConfigError } from '../config/config.js';
import { UserError, errorMessage } from '../shared/errors.js';

export const EXIT_CONFIG = 2;

export async function runCli(main: () => Promise<number | void>): Promise<void> {
  try {
    const code = await main();
    process.exitCode = code ?? 0;
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee .env.example for every setting and its expected form.\n`);
      process.exitCode = EXIT_CONFIG;
    } else if (error instanceof UserError) {
      process.stderr.write(`Error: ${error.message}\n`);
      process.exitCode = error.exitCode;
    } else {
      const debug = /^(debug|trace)$/i.test(process.env.LOG_LEVEL ?? '');
      const detail = debug && error instanceof Error ? `\n${error.stack}` : ' (LOG_LEVEL=debug shows details)';
      process.stderr.write(`Unexpected error: ${errorMessage(error)}${detail}\n`);
      process.exitCode = 1;
    }
  }
}
