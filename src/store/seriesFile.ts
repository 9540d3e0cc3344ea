import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Sample } from '../protocol/series';

/**
 * The series files of one run: two append-only files, written by the run's single writer.
 *
 * `series.bin`: an 8-byte header (ASCII `LMSR`, then the format version as u32 LE), then fixed-size 28-byte
 * little-endian records `[series index u32][step f64][value f64][wall f64]`, in append order.
 *
 * `series.names.jsonl`: one JSON line `{"index":0,"name":"loss"}` per series, in index order. A series' line is
 * written (synchronously) before any record that uses its index reaches `series.bin`.
 *
 * Guarantees: once `flush()` returns, the data is in the OS and survives the writer process being killed. A
 * writer killed mid-write leaves at most a torn last record (file length not a whole number of records) and a
 * torn last names line (no trailing newline); readers skip both, and skip records whose index has no name.
 * Values are stored as f64, so NaN and ±Infinity (diverged runs) round-trip exactly.
 */
export const SERIES_FILE = 'series.bin';
export const NAMES_FILE = 'series.names.jsonl';

export const SERIES_MAGIC = 'LMSR';
export const SERIES_FORMAT_VERSION = 1;
export const HEADER_BYTES = 8;
export const RECORD_BYTES = 28;

/** Default write buffer: about 9k records, so a killed writer loses at most that many unflushed samples. */
export const DEFAULT_BUFFER_BYTES = 256 * 1024;

/** One line of the names file. */
export interface NameEntry {
  index: number;
  name: string;
}

/**
 * Appends samples to a run's series files with buffered, synchronous writes. Not safe to share between
 * processes: a run has exactly one writer.
 */
export class SeriesFileWriter {
  private readonly indexByName = new Map<string, number>();
  private readonly buffer: Buffer;
  /** The same bytes as `buffer`; DataView stores are several times faster than Buffer's write methods. */
  private readonly view: DataView;
  private used = 0;
  private seriesFd: number | undefined;
  private namesFd: number | undefined;

  private constructor(
    private readonly runDir: string,
    bufferBytes: number,
  ) {
    const records = Math.max(1, Math.floor(bufferBytes / RECORD_BYTES));
    this.buffer = Buffer.alloc(records * RECORD_BYTES);
    this.view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.length);
  }

  /** Creates both files in `runDir` (failing if either exists) and writes the header. */
  static create(runDir: string, bufferBytes = DEFAULT_BUFFER_BYTES): SeriesFileWriter {
    const writer = new SeriesFileWriter(runDir, bufferBytes);
    try {
      writer.namesFd = fs.openSync(path.join(runDir, NAMES_FILE), 'wx');
      writer.seriesFd = fs.openSync(path.join(runDir, SERIES_FILE), 'wx');
      const header = Buffer.alloc(HEADER_BYTES);
      header.write(SERIES_MAGIC, 0, 'latin1');
      header.writeUInt32LE(SERIES_FORMAT_VERSION, 4);
      writer.writeAll(writer.seriesFd, header, HEADER_BYTES, SERIES_FILE);
      return writer;
    } catch (err) {
      writer.closeFiles();
      throw err;
    }
  }

  /** The series names in index order. */
  get names(): string[] {
    return [...this.indexByName.keys()];
  }

  /** Buffers `samples`; writes the buffer to disk each time it fills. */
  append(samples: readonly Sample[]): void {
    if (this.seriesFd === undefined)
      throw new Error(`Cannot append to the closed series file in ${this.runDir}`);
    const view = this.view;
    for (const sample of samples) {
      if (this.used === view.byteLength) this.flush();
      const offset = this.used;
      view.setUint32(offset, this.indexOf(sample.series), true);
      view.setFloat64(offset + 4, sample.step, true);
      view.setFloat64(offset + 12, sample.value, true);
      view.setFloat64(offset + 20, sample.wall, true);
      this.used = offset + RECORD_BYTES;
    }
  }

  /** Writes the buffered records to the series file (to the OS; no fsync). */
  flush(): void {
    if (this.seriesFd === undefined || this.used === 0) return;
    this.writeAll(this.seriesFd, this.buffer, this.used, SERIES_FILE);
    this.used = 0;
  }

  /** Flushes and closes both files; later calls do nothing. */
  close(): void {
    if (this.seriesFd === undefined) return;
    try {
      this.flush();
    } finally {
      this.closeFiles();
    }
  }

  private closeFiles(): void {
    if (this.seriesFd !== undefined) fs.closeSync(this.seriesFd);
    if (this.namesFd !== undefined) fs.closeSync(this.namesFd);
    this.seriesFd = undefined;
    this.namesFd = undefined;
  }

  /** The index of series `name`, registering it (names line first, on disk) when it is new. */
  private indexOf(name: string): number {
    const known = this.indexByName.get(name);
    if (known !== undefined) return known;
    if (typeof name !== 'string' || name === '') {
      throw new Error(
        `Series names must be non-empty strings; got ${JSON.stringify(name)} in ${this.runDir}`,
      );
    }
    const entry: NameEntry = { index: this.indexByName.size, name };
    const line = Buffer.from(JSON.stringify(entry) + '\n', 'utf8');
    this.writeAll(this.namesFd as number, line, line.length, NAMES_FILE);
    this.indexByName.set(name, entry.index);
    return entry.index;
  }

  /** `fs.writeSync` until all `length` bytes are written; errors name the file. */
  private writeAll(fd: number, data: Buffer, length: number, file: string): void {
    try {
      for (let done = 0; done < length;) done += fs.writeSync(fd, data, done, length - done);
    } catch (err) {
      const where = path.join(this.runDir, file);
      throw new Error(`Could not write ${where}: ${(err as Error).message}`, { cause: err });
    }
  }
}
