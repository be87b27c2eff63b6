/**
 * Vectors computed by a build that has not finished yet, kept on disk as they are made, so a long first run
 * that is killed (Ctrl-C, a reboot, a crash at 90%) loses nothing: the next run takes them and embeds only
 * the rest. At the default model's real cost a 100,000-passage corpus takes over half an hour to embed.
 *
 *   INDEX_DIR/checkpoint.json   the model and settings the vectors belong to, and their dimension
 *   INDEX_DIR/checkpoint.bin    records of [64 ASCII hex bytes: embedding key][dimension × float32]
 *
 * Records are appended after each batch; a record cut short by a kill is ignored. Vectors of another model
 * or setting are never reused: a checkpoint whose identity differs is discarded. A successful build removes
 * the checkpoint (its vectors are then in the index).
 */
import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const HEADER = 'checkpoint.json';
const DATA = 'checkpoint.bin';
const KEY_BYTES = 64;

export class VectorCheckpoint {
  private dimensions: number | undefined;

  constructor(
    private readonly indexDir: string,
    /** The model and settings the vectors come from (model fingerprint, pooling, prefixes). */
    private readonly identity: string,
  ) {}

  /** The vectors a previous, unfinished run of the same model and settings computed, by embedding key. */
  load(): Map<string, Float32Array> {
    const vectors = new Map<string, Float32Array>();
    let header: { identity?: string; dimensions?: number };
    try {
      header = JSON.parse(readFileSync(join(this.indexDir, HEADER), 'utf8')) as typeof header;
    } catch {
      return vectors;
    }
    if (header.identity !== this.identity || !Number.isInteger(header.dimensions)) {
      this.remove();
      return vectors;
    }
    const dimensions = header.dimensions as number;
    const path = join(this.indexDir, DATA);
    if (!existsSync(path)) return vectors;
    const bytes = readFileSync(path);
    const recordBytes = KEY_BYTES + 4 * dimensions;
    for (let at = 0; at + recordBytes <= bytes.length; at += recordBytes) {
      const key = bytes.toString('ascii', at, at + KEY_BYTES);
      const vector = new Float32Array(dimensions);
      for (let d = 0; d < dimensions; d++) vector[d] = bytes.readFloatLE(at + KEY_BYTES + 4 * d);
      vectors.set(key, vector);
    }
    this.dimensions = dimensions;
    return vectors;
  }

  /** Keeps the vectors of one batch. */
  append(entries: { key: string; vector: Float32Array }[]): void {
    if (entries.length === 0) return;
    const dimensions = entries[0]?.vector.length ?? 0;
    if (this.dimensions !== dimensions) {
      // A first batch (or a new dimension): start a fresh checkpoint for this model.
      writeFileSync(join(this.indexDir, HEADER), JSON.stringify({ identity: this.identity, dimensions }));
      writeFileSync(join(this.indexDir, DATA), '');
      this.dimensions = dimensions;
    }
    const record = KEY_BYTES + 4 * dimensions;
    const buffer = Buffer.alloc(record * entries.length);
    entries.forEach(({ key, vector }, i) => {
      buffer.write(key, i * record, KEY_BYTES, 'ascii');
      for (let d = 0; d < dimensions; d++) buffer.writeFloatLE(vector[d] ?? 0, i * record + KEY_BYTES + 4 * d);
    });
    appendFileSync(join(this.indexDir, DATA), buffer);
  }

  remove(): void {
    rmSync(join(this.indexDir, HEADER), { force: true });
    rmSync(join(this.indexDir, DATA), { force: true });
    this.dimensions = undefined;
  }
}
