/**
 * Reading settings from the environment: each read checks its value and collects a one-line problem instead
 * of stopping at the first, so a wrong .env is reported whole.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { webUrl } from '../shared/web-url.js';

export type Env = Record<string, string | undefined>;

/** Reads settings one by one, collecting problems instead of stopping at the first. */
export class SettingsReader {
  readonly problems: string[] = [];
  constructor(
    private readonly env: Env,
    private readonly baseDir: string,
  ) {}

  /** Empty and whitespace-only values count as unset, as they do in most .env conventions. */
  raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value ? value : undefined;
  }

  problem(name: string, value: string, expected: string): undefined {
    this.problems.push(`${name}=${JSON.stringify(value)}: ${expected}`);
    return undefined;
  }

  string(name: string): string | undefined {
    return this.raw(name);
  }

  /** Prefixes keep their trailing space ("query: "), so they are not trimmed; an unset one is undefined. */
  untrimmed(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value === '' ? undefined : value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (/^(true|1|yes|on)$/i.test(value)) return true;
    if (/^(false|0|no|off)$/i.test(value)) return false;
    this.problem(name, value, 'expected true or false');
    return fallback;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
      this.problem(name, value, `expected a whole number from ${min} to ${max}`);
      return fallback;
    }
    return parsed;
  }

  number(name: string, min: number, max: number): number | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < min || parsed > max) {
      return this.problem(name, value, `expected a number from ${min} to ${max}`);
    }
    return parsed;
  }

  oneOf<T extends string>(name: string, choices: readonly T[]): T | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    const lower = value.toLowerCase();
    const match = choices.find((choice) => choice === lower);
    if (!match) return this.problem(name, value, `expected one of ${choices.join(', ')}`);
    return match;
  }

  snowflake(name: string): string | undefined {
    const value = this.raw(name);
    if (value === undefined || /^\d{15,21}$/.test(value)) return value;
    return this.problem(name, value, 'expected a Discord id (15 to 21 digits)');
  }

  snowflakes(name: string): string[] {
    const value = this.raw(name);
    if (value === undefined) return [];
    const ids = value.split(/[\s,]+/).filter(Boolean);
    const bad = ids.filter((id) => !/^\d{15,21}$/.test(id));
    if (bad.length > 0) {
      this.problem(name, value, `expected Discord channel ids separated by commas; not an id: ${bad.join(', ')}`);
      return [];
    }
    return ids;
  }

  url(name: string): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    if (webUrl(value) !== undefined) return value.replace(/\/+$/, '');
    return this.problem(name, value, 'expected an http:// or https:// URL');
  }

  /**
   * A folder path, resolved against the working directory. `mustExist` folders are checked now; the others
   * only must not be something other than a folder (they are created when first written).
   */
  folder(name: string, fallback: string | undefined, mustExist: boolean): string | undefined {
    const value = this.raw(name) ?? fallback;
    if (value === undefined) return undefined;
    const path = resolve(this.baseDir, value);
    let isDirectory: boolean | undefined;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch {
      isDirectory = undefined;
    }
    if (isDirectory === false) return this.problem(name, value, `${path} is a file; expected a folder`);
    if (isDirectory === undefined && mustExist) {
      return this.problem(name, value, `${path} does not exist; expected an existing folder`);
    }
    return path;
  }

  /** A file path, resolved against the working directory; it need not exist yet, but must not be a folder. */
  file(name: string, fallback: string): string {
    const value = this.raw(name) ?? fallback;
    const path = resolve(this.baseDir, value);
    let isDirectory = false;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch {
      // Not there yet: written when first needed.
    }
    if (isDirectory) this.problem(name, value, `${path} is a folder; expected a file`);
    return path;
  }
}
