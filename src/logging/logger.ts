/**
 * Structured, levelled logs on stderr (stdout is kept for answers and --json output).
 * One readable line per entry, or JSON lines (for log collectors): `format`, by default readable on a terminal
 * and JSON elsewhere.
 * Secrets never reach the output: fields that could hold the bot token are redacted by key, wherever they are
 * nested, and every line is scrubbed as text before it is written — the bot token itself, anything shaped
 * like a Discord bot token, and the interaction and webhook tokens inside Discord URLs
 * (`/webhooks/<app>/<token>/…`, `/interactions/<id>/<token>/…`), which a failed request's error carries.
 */
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

// `requestBody`: a failed Discord request's error carries the message it sent (the question and the quotes),
// and members' words never reach the logs.
const REDACTED_KEYS = ['token', 'discordToken', 'authorization', 'Authorization', 'DISCORD_TOKEN', 'requestBody'];
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

const CENSOR = '[redacted]';
/** Discord bot tokens: base64 user id, a dot, a timestamp, a dot, an HMAC. */
const BOT_TOKEN_SHAPE = /[MNO][A-Za-z\d_-]{23,27}\.[A-Za-z\d_-]{6}\.[A-Za-z\d_-]{27,40}/g;
/** The token segment of webhook and interaction URLs (also when percent-encoded or JSON-escaped). */
const URL_TOKEN = /(\/(?:webhooks|interactions)(?:\\?\/|%2F)\d{15,21}(?:\\?\/|%2F))[^/\s"'?%\\]+/gi;

/** `text` with every secret replaced; `secrets` are exact strings to remove (the configured bot token). */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let clean = text.replace(URL_TOKEN, `$1${CENSOR}`).replace(BOT_TOKEN_SHAPE, CENSOR);
  for (const secret of secrets) if (secret.length >= 8) clean = clean.split(secret).join(CENSOR);
  return clean;
}

export const LOG_FORMATS = ['auto', 'text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface LoggerOptions {
  /** Strings never to write (the bot token), on top of the token shapes recognised anyway. */
  secrets?: (string | undefined)[];
  /** Readable lines ('text'), JSON lines, or 'auto': readable on a terminal, JSON elsewhere (the default). */
  format?: LogFormat;
}

export function createLogger(level: LogLevel, destination?: DestinationStream, options: LoggerOptions = {}): Logger {
  const secrets = (options.secrets ?? [process.env.DISCORD_TOKEN]).filter((secret): secret is string => !!secret);
  const scrub = (line: string) => redactSecrets(line, secrets);
  const target: DestinationStream = destination
    ? { write: (line: string) => destination.write(scrub(line)) }
    : (options.format ?? 'auto') === 'text' || (options.format !== 'json' && process.stderr.isTTY)
      ? { write: (line: string) => process.stderr.write(formatLogLine(scrub(line))) }
      : { write: (line: string) => process.stderr.write(scrub(line)) };
  return pino({ level, base: undefined, redact: { paths: REDACT_PATHS, censor: CENSOR } }, target);
}
