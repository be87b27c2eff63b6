/**
 * The passages, their articles and the lexical index, in one SQLite file (`index.sqlite`) beside the HNSW graph.
 *
 * Why SQLite (better-sqlite3): the bot used to parse one JSON file of every passage and build its BM25 index
 * in memory at every start — 7.4 s and 874 MiB at 100,000 passages with the default model's twin. Here nothing
 * is rebuilt at start (passages are read by label when a question needs them, BM25's postings are a table),
 * and an edit changes a few rows in one transaction instead of rewriting the whole file.
 *
 *   meta        key → JSON value (the manifest, which names the live graph file)
 *   articles    one row per article: metadata, counts, the content hash it was indexed from
 *   passages    label (the vector's HNSW label, never reused) → verbatim text, place in the article
 *   postings    term → the passages holding it, how often, and their length: BM25's inverted index
 *   vocabulary  term → passages holding it, and how many of those write it in capitals (an acronym)
 *   files       corpus file → size, mtime and content hash, so an unchanged file is not read again
 *   parsed      content hash → what the file parsed to, so a changed-back or renamed file is not parsed again
 */
import type { ArticleMetadata } from '../corpus/article.js';
import { errorMessage } from '../shared/errors.js';
import {
  type PassageRow,
  type ArticleRow,
  SCHEMA,
  passageOf,
  articleOf,
  lexicalEntry,
  prefixEnd,
} from './passage-rows.js';
import Database from 'better-sqlite3';

export interface IndexedArticle extends ArticleMetadata {
  id: string;
  paragraphCount: number;
  passageCount: number;
}

export interface IndexedPassage {
  /** Stable: the same article text gives the same id on every build. */
  id: string;
  articleId: string;
  paragraphStart: number;
  paragraphEnd: number;
  part?: { index: number; of: number };
  /** Verbatim article text; what is quoted. */
  text: string;
  /** Hash of the text that was embedded (title, date and passage): the embedding cache key. */
  embeddingKey: string;
}

/** What the index knows of one corpus file, to tell an unchanged file by its size and time alone. */
export interface KnownFile {
  size: number;
  mtimeMs: number;
  contentHash: string;
}

/** How BM25 weighs terms: decided by retrieval (retrieval/lexical.ts), computed here in SQL. */
export interface Bm25Weighting {
  idf: (term: string) => number;
  /** Term-frequency saturation. */
  k1: number;
  /** Length normalisation (0: none, 1: full). */
  b: number;
}

export interface LexicalHit {
  label: number;
  score: number;
}

export class PassageStore {
  private readonly db: Database.Database;
  private readonly statements: {
    get: Database.Statement<[number], PassageRow>;
    byId: Database.Statement<[string], PassageRow>;
    ofArticle: Database.Statement<[string], PassageRow>;
    frequency: Database.Statement<[string], { passages: number; acronym: number }>;
    prefixed: Database.Statement<[string, string], { term: string }>;
    meta: Database.Statement<[string], { value: string }>;
    averageLength: Database.Statement<[], { average: number | null }>;
    count: Database.Statement<[], { n: number }>;
  };
  /** Derived from the passages and kept until the next transaction: passages are only written inside one. */
  private articleIds: Map<number, string> | undefined;
  private averageLength: number | undefined;

  private constructor(
    readonly path: string,
    options: { create?: boolean; readonly?: boolean },
  ) {
    this.db = new Database(path, { readonly: options.readonly === true, fileMustExist: options.create !== true });
    // Another process (the bot) may be reading while an edit commits: wait for it rather than fail.
    this.db.pragma('busy_timeout = 5000');
    if (options.create) {
      this.db.pragma('journal_mode = DELETE');
      this.db.exec(SCHEMA);
    }
    this.statements = {
      get: this.db.prepare('SELECT * FROM passages WHERE label = ?'),
      byId: this.db.prepare('SELECT * FROM passages WHERE id = ?'),
      ofArticle: this.db.prepare(
        'SELECT * FROM passages WHERE article_id = ? ORDER BY paragraph_start, part_index, label',
      ),
      frequency: this.db.prepare('SELECT passages, acronym FROM vocabulary WHERE term = ?'),
      prefixed: this.db.prepare('SELECT term FROM vocabulary WHERE term > ? AND term < ? ORDER BY term'),
      meta: this.db.prepare('SELECT value FROM meta WHERE key = ?'),
      averageLength: this.db.prepare('SELECT avg(distinct_terms) AS average FROM passages'),
      count: this.db.prepare('SELECT count(*) AS n FROM passages'),
    };
  }

  /** A new, empty store (the file must not exist). */
  static create(path: string): PassageStore {
    return new PassageStore(path, { create: true });
  }

  static open(path: string, options: { readonly?: boolean } = {}): PassageStore {
    return new PassageStore(path, options);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Runs `work` as one transaction: all of it is written, or none of it. */
  transaction<T>(work: () => T): T {
    this.articleIds = undefined;
    this.averageLength = undefined;
    return this.db.transaction(work)();
  }

  // --- meta ---

  getMeta<T>(key: string): T | undefined {
    const row = this.statements.meta.get(key);
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  setMeta(key: string, value: unknown): void {
    this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, JSON.stringify(value));
  }

  // --- integrity ---

  /**
   * What is wrong with the store against the counts its manifest records, or undefined when nothing is:
   * SQLite's own check of every page (with `thorough`), then the passage and article counts. A store that
   * is only locked by another process is not damaged: that error is thrown, not reported.
   */
  integrityProblem(expected: { passageCount: number; articleCount: number }, thorough = false): string | undefined {
    try {
      if (thorough) {
        const result = this.db.pragma('quick_check', { simple: true });
        if (result !== 'ok') return `SQLite's check says: ${String(result)}`;
      }
      const passages = this.count;
      if (passages !== expected.passageCount) return `it holds ${passages} passages, not ${expected.passageCount}`;
      const articles = (this.db.prepare('SELECT COUNT(*) AS n FROM articles').get() as { n: number }).n;
      if (articles !== expected.articleCount) return `it holds ${articles} articles, not ${expected.articleCount}`;
      return undefined;
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_BUSY') throw error;
      return errorMessage(error);
    }
  }

  // --- passages and articles ---

  get count(): number {
    return this.statements.count.get()?.n ?? 0;
  }

  get(label: number): IndexedPassage | undefined {
    const row = this.statements.get.get(label);
    return row ? passageOf(row) : undefined;
  }

  byId(id: string): { label: number; passage: IndexedPassage } | undefined {
    const row = this.statements.byId.get(id);
    return row ? { label: row.label, passage: passageOf(row) } : undefined;
  }

  /** An article's passages in reading order. */
  ofArticle(articleId: string): { label: number; passage: IndexedPassage }[] {
    return this.statements.ofArticle.all(articleId).map((row) => ({ label: row.label, passage: passageOf(row) }));
  }

  /** Every live label, ascending. */
  labels(): number[] {
    return (this.db.prepare('SELECT label FROM passages ORDER BY label').raw().all() as [number][]).map(
      ([label]) => label,
    );
  }

  /** Every passage's id. */
  passageIds(): string[] {
    return (this.db.prepare('SELECT id FROM passages').raw().all() as [string][]).map(([id]) => id);
  }

  /** Every passage in label order (tools and tests; the bot reads by label). */

  /** Label → article id for every passage, kept until the next write: for filters called on every graph step. */
  articleIdOf(label: number): string | undefined {
    this.articleIds ??= new Map(
      this.db
        .prepare('SELECT label, article_id FROM passages')
        .raw()
        .all()
        .map((row) => row as [number, string]),
    );
    return this.articleIds.get(label);
  }

  /** Passages whose exact text an earlier passage of another article already holds. */
  repeatedPassages(): number {
    const row = this.db.prepare('SELECT COUNT(*) - COUNT(DISTINCT text) AS repeated FROM passages').get() as {
      repeated: number;
    };
    return row.repeated;
  }

  article(id: string): IndexedArticle | undefined {
    const row = this.db.prepare('SELECT * FROM articles WHERE id = ?').get(id) as ArticleRow | undefined;
    return row ? articleOf(row) : undefined;
  }

  articles(): IndexedArticle[] {
    return (this.db.prepare('SELECT * FROM articles ORDER BY id').all() as ArticleRow[]).map(articleOf);
  }

  /** Article id → the content hash it was indexed from. */
  articleHashes(): Map<string, string> {
    const rows = this.db.prepare('SELECT id, content_hash FROM articles').raw().all() as [string, string][];
    return new Map(rows);
  }

  /** Embedding key → label of a passage embedded from that text (to reuse its vector). */
  labelsByEmbeddingKey(): Map<string, number> {
    const rows = this.db.prepare('SELECT embedding_key, label FROM passages').raw().all() as [string, number][];
    return new Map(rows);
  }

  /**
   * Adds an article and its passages (with their labels) to every table. Many articles at once (a full
   * build) pass `vocabulary` to count terms in memory and write them once at the end.
   */
  addArticle(
    article: IndexedArticle & { contentHash: string },
    passages: { label: number; passage: IndexedPassage }[],
    vocabulary?: Map<string, { passages: number; acronym: number }>,
  ): void {
    this.putArticle(article);
    this.addPassages(passages, vocabulary);
  }

  /** Writes an article's row (metadata, counts, content hash), replacing the one it had. */
  putArticle(article: IndexedArticle & { contentHash: string }): void {
    const { id, paragraphCount, passageCount, contentHash, ...metadata } = article;
    this.db
      .prepare(
        'INSERT OR REPLACE INTO articles (id, metadata, paragraph_count, passage_count, content_hash) VALUES (?, ?, ?, ?, ?)',
      )
      .run(id, JSON.stringify(metadata), paragraphCount, passageCount, contentHash);
  }

  /** Adds passages (with their labels) to the passage table, the postings and the term counts. */
  addPassages(
    passages: { label: number; passage: IndexedPassage }[],
    vocabulary?: Map<string, { passages: number; acronym: number }>,
  ): void {
    const insertPassage = this.db.prepare(
      'INSERT INTO passages (label, id, article_id, paragraph_start, paragraph_end, part_index, part_of, text, embedding_key, distinct_terms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const insertPosting = this.db.prepare('INSERT INTO postings (term, label, frequency, length) VALUES (?, ?, ?, ?)');
    const countTerm = this.db.prepare(
      'INSERT INTO vocabulary (term, passages, acronym) VALUES (?, 1, ?) ON CONFLICT (term) DO UPDATE SET passages = passages + 1, acronym = acronym + excluded.acronym',
    );
    for (const { label, passage } of passages) {
      const entry = lexicalEntry(passage.text);
      insertPassage.run(
        label,
        passage.id,
        passage.articleId,
        passage.paragraphStart,
        passage.paragraphEnd,
        passage.part?.index ?? null,
        passage.part?.of ?? null,
        passage.text,
        passage.embeddingKey,
        entry.frequencies.size,
      );
      for (const [term, frequency] of entry.frequencies) {
        insertPosting.run(term, label, frequency, entry.frequencies.size);
        const acronym = entry.acronyms.has(term) ? 1 : 0;
        if (vocabulary) {
          const counts = vocabulary.get(term) ?? { passages: 0, acronym: 0 };
          counts.passages++;
          counts.acronym += acronym;
          vocabulary.set(term, counts);
        } else {
          countTerm.run(term, acronym);
        }
      }
    }
  }

  /** Writes term counts gathered by addArticle(…, vocabulary) into a store whose vocabulary is empty. */
  writeVocabulary(vocabulary: Map<string, { passages: number; acronym: number }>): void {
    const insert = this.db.prepare('INSERT INTO vocabulary (term, passages, acronym) VALUES (?, ?, ?)');
    for (const [term, counts] of vocabulary) insert.run(term, counts.passages, counts.acronym);
  }

  /** Takes passages out of every table: their rows, postings and term counts. */
  removePassages(passages: { label: number; passage: IndexedPassage }[]): void {
    const deletePosting = this.db.prepare('DELETE FROM postings WHERE term = ? AND label = ?');
    const uncount = this.db.prepare(
      'UPDATE vocabulary SET passages = passages - 1, acronym = acronym - ? WHERE term = ?',
    );
    const deletePassage = this.db.prepare('DELETE FROM passages WHERE label = ?');
    for (const { label, passage } of passages) {
      const entry = lexicalEntry(passage.text);
      for (const term of entry.frequencies.keys()) {
        deletePosting.run(term, label);
        uncount.run(entry.acronyms.has(term) ? 1 : 0, term);
      }
      deletePassage.run(label);
    }
    this.db.prepare('DELETE FROM vocabulary WHERE passages <= 0').run();
  }

  /** Removes an article and its passages from every table; returns the labels its passages had. */
  removeArticle(articleId: string): number[] {
    const removed = this.ofArticle(articleId);
    this.removePassages(removed);
    this.db.prepare('DELETE FROM articles WHERE id = ?').run(articleId);
    return removed.map(({ label }) => label);
  }

  // --- the lexical index ---

  documentFrequency(term: string): number {
    return this.statements.frequency.get(term)?.passages ?? 0;
  }

  isAcronym(term: string): boolean {
    return (this.statements.frequency.get(term)?.acronym ?? 0) > 0;
  }

  /** Terms of the corpus that start with `prefix` (not `prefix` itself), in order. */
  termsStartingWith(prefix: string): string[] {
    if (prefix === '') return [];
    return this.statements.prefixed.all(prefix, prefixEnd(prefix)).map((row) => row.term);
  }

  /**
   * Okapi BM25 over the passages' terms, with the weighting retrieval gives (its idf, k1 and b,
   * retrieval/lexical.ts): the best `limit` passages holding any of `searchTerms`, leaving out one article's
   * when `excludeArticle` is given.
   *
   * Scored as MiniSearch (which this replaces) scored, so ranking is unchanged: a passage's length is its
   * number of distinct terms, and its sum over terms is multiplied by how many of the terms it holds (a
   * passage holding three of the question's terms outranks one holding a single rare one many times). Why a
   * plain table and not FTS5: FTS5's bm25() floors the idf of a term in half the passages or more at 1e-6 (in
   * a corpus about one dispute "junior" and "doctor" would count for nothing, and a dev question dropped out
   * of the top 3), and reading its postings through fts5vocab took 23 / 54 ms (p50 / p95) a dev question at
   * 100,000 passages, against 5 / 14 ms for this table scored in SQL.
   */
  bm25(searchTerms: string[], limit: number, weighting: Bm25Weighting, excludeArticle?: string): LexicalHit[] {
    if (searchTerms.length === 0) return [];
    const values = searchTerms.map(() => '(?, ?)').join(', ');
    const excluding = excludeArticle !== undefined;
    const sql =
      `WITH question (term, weight) AS (VALUES ${values}) ` +
      'SELECT p.label AS label, ' +
      'sum(q.weight * p.frequency * (? + 1) / (p.frequency + ? * (1 - ? + ? * p.length / ?))) * count(*) AS score ' +
      'FROM question AS q JOIN postings AS p ON p.term = q.term ' +
      (excluding ? 'JOIN passages AS x ON x.label = p.label WHERE x.article_id != ? ' : '') +
      'GROUP BY p.label ORDER BY score DESC, p.label LIMIT ?';
    let statement = this.bm25Statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.bm25Statements.set(sql, statement);
    }
    const { idf, k1, b } = weighting;
    const parameters: (string | number)[] = searchTerms.flatMap((term) => [term, idf(term)]);
    parameters.push(k1, k1, b, b, this.averageDistinctTerms());
    if (excluding) parameters.push(excludeArticle);
    parameters.push(limit);
    return statement.all(...parameters) as LexicalHit[];
  }

  /** One prepared statement per shape of query (number of terms, excluding or not). */
  private readonly bm25Statements = new Map<string, Database.Statement>();

  private averageDistinctTerms(): number {
    this.averageLength ??= this.statements.averageLength.get()?.average ?? 1;
    return this.averageLength || 1;
  }

  // --- corpus files and parse results ---

  files(): Map<string, KnownFile> {
    const rows = this.db.prepare('SELECT id, size, mtime_ms, content_hash FROM files').raw().all() as [
      string,
      number,
      number,
      string,
    ][];
    return new Map(rows.map(([id, size, mtimeMs, contentHash]) => [id, { size, mtimeMs, contentHash }]));
  }

  setFiles(files: ReadonlyMap<string, KnownFile>): void {
    this.db.prepare('DELETE FROM files').run();
    const insert = this.db.prepare('INSERT INTO files (id, size, mtime_ms, content_hash) VALUES (?, ?, ?, ?)');
    for (const [id, file] of files) insert.run(id, file.size, file.mtimeMs, file.contentHash);
  }

  parsed<T>(contentHash: string): T | undefined {
    const row = this.db.prepare('SELECT value FROM parsed WHERE content_hash = ?').get(contentHash) as
      { value: string } | undefined;
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  /** Keeps the parse results of the hashes given, and only those. */
  setParsed(entries: ReadonlyMap<string, unknown>, keep: ReadonlySet<string>): void {
    const stale = (this.db.prepare('SELECT content_hash FROM parsed').raw().all() as [string][]).filter(
      ([hash]) => !keep.has(hash),
    );
    const remove = this.db.prepare('DELETE FROM parsed WHERE content_hash = ?');
    for (const [hash] of stale) remove.run(hash);
    const insert = this.db.prepare('INSERT OR REPLACE INTO parsed (content_hash, value) VALUES (?, ?)');
    for (const [hash, value] of entries) insert.run(hash, JSON.stringify(value));
  }
}
