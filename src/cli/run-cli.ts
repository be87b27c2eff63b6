/**
 * The one wrapper every command-line entry point runs in: known errors become short messages on stderr and a
 * non-zero exit code, never a stack trace (unless LOG_LEVEL=debug asks for it).
 */
import { ConfigError, type Config } from '../config/config.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { UserError, errorMessage } from '../shared/errors.js';

export const EXIT_CONFIG = 2;

/** The logger of a command: readable lines on stderr, piped or not, unless LOG_FORMAT says json. */
export function commandLogger(config: Pick<Config, 'logLevel' | 'logFormat' | 'discordToken'>): Logger {
  const format = config.logFormat === 'auto' ? 'text' : config.logFormat;
  return createLogger(config.logLevel, undefined, { secrets: [config.discordToken], format });
}

export async function runCli(main: () => Promise<number | void>): Promise<void> {
  // Output piped into a reader that stops early (`npm run ask -- … | head`): stop quietly, as Unix tools do.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
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
