/**
 * Structured, levelled logs on stderr (stdout is kept for answers and --json output).
 * JSON lines when stderr is not a terminal (for log collectors), one readable line per entry when it is.
 * Anything that could hold the bot token is redacted by key, wherever it is nested.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../config/config.js';

export type { Logger };

const REDACTED_KEYS = ['token', 'discordToken', 'authorization', 'Authorization', 'DISCORD_TOKEN'];
const REDACT_PATHS = REDACTED_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);

const LEVEL_NAMES: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/** Turns one pino JSON line into `LEVEL message key=value ...` for people reading a terminal. */
export function formatLogLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const { level, msg, time: _time, pid: _pid, hostname: _hostname, ...rest } = entry;
  const name = typeof level === 'number' ? (LEVEL_NAMES[level] ?? String(level)) : String(level);
  const fields = Object.entries(rest)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  return `${name.toUpperCase().padEnd(5)} ${String(msg ?? '')}${fields ? ` ${fields}` : ''}\n`;
}

function terminalDestination(stream: NodeJS.WriteStream): DestinationStream {
  return { write: (line: string) => stream.write(formatLogLine(line)) };
}

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const target =
    destination ??
    (process.stderr.isTTY ? terminalDestination(process.stderr) : pino.destination({ dest: 2, sync: true }));
  return pino({ level, base: undefined, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, target);
}
