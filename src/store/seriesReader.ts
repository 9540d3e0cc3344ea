import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  HEADER_BYTES,
  NAMES_FILE,
  RECORD_BYTES,
  SERIES_FILE,
  SERIES_FORMAT_VERSION,
  SERIES_MAGIC,
} from './seriesFile';
import type { NameEntry } from './seriesFile';
import { SeriesBuilder } from './seriesData';
import type { SeriesData, StepRange } from './seriesData';

/**
 * Reading the series files described in `seriesFile.ts`, safely while the writer is still appending.
 *
 * A read takes a snapshot: it fixes the end of `series.bin` (rounded down to whole records, which drops a torn
 * tail) first, then reads the names file. Since a name is on disk before any record that uses it, every record
 * in the snapshot has its name; records whose index has no name anyway (a damaged names file) are skipped.
 */

/** Records are read this many at a time, so files of any size load without one giant buffer. */
const CHUNK_RECORDS = 64 * 1024;

/** All series of the run in `runDir`, in first-append order, each with its samples in append order. */
export function readAllSeries(runDir: string): Map<string, SeriesData> {
  return withSeriesFile(runDir, (fd, end) => {
    const names = readNames(runDir);
    const builders = names.map(() => new SeriesBuilder());
    forEachChunk(fd, end, (view, length) => {
      for (let o = 0; o < length; o += RECORD_BYTES) {
        const builder = builders[view.getUint32(o, true)]; // undefined for an index without a name
        builder?.push(
          view.getFloat64(o + 4, true),
          view.getFloat64(o + 12, true),
          view.getFloat64(o + 20, true),
        );
      }
    });
    return new Map(names.map((name, i) => [name, builders[i].finish()]));
  });
}

/**
 * The samples of series `name` with `range.from <= step <= range.to` (either bound optional), in append order;
 * undefined when the run has no series of that name (yet).
 */
export function readOneSeries(runDir: string, name: string, range: StepRange = {}): SeriesData | undefined {
  return withSeriesFile(runDir, (fd, end) => {
    const wanted = readNames(runDir).indexOf(name);
    if (wanted < 0) return undefined;
    const from = range.from ?? -Infinity;
    const to = range.to ?? Infinity;
    const builder = new SeriesBuilder();
    forEachChunk(fd, end, (view, length) => {
      for (let o = 0; o < length; o += RECORD_BYTES) {
        if (view.getUint32(o, true) !== wanted) continue;
        const step = view.getFloat64(o + 4, true);
        if (step < from || step > to) continue;
        builder.push(step, view.getFloat64(o + 12, true), view.getFloat64(o + 20, true));
      }
    });
    return builder.finish();
  });
}

/**
 * The series names of the run in `runDir`, where entry `i` names series index `i`. Skips a torn last line (no
 * trailing newline); a complete line that is not a valid entry, or out of index order, is damage and throws.
 */
export function readNames(runDir: string): string[] {
  const file = path.join(runDir, NAMES_FILE);
  const text = readOrThrow(file, () => fs.readFileSync(file, 'utf8'));
  const lines = text.split('\n');
  lines.pop(); // the text after the last newline: empty, or a torn line
  return lines.map((line, i) => parseNameLine(line, i, file));
}

function parseNameLine(line: string, lineIndex: number, file: string): string {
  let entry: Partial<NameEntry> | undefined;
  try {
    entry = JSON.parse(line) as Partial<NameEntry>;
  } catch {
    entry = undefined;
  }
  if (entry?.index !== lineIndex || typeof entry.name !== 'string') {
    throw new Error(
      `${file} line ${lineIndex + 1} is damaged: expected {"index":${lineIndex},"name":...}, found ${line.slice(0, 80)}`,
    );
  }
  return entry.name;
}

/** Opens `series.bin`, checks its header, and calls `read` with the fd and the snapshot end (whole records). */
function withSeriesFile<T>(runDir: string, read: (fd: number, end: number) => T): T {
  const file = path.join(runDir, SERIES_FILE);
  const fd = readOrThrow(file, () => fs.openSync(file, 'r'));
  try {
    const size = fs.fstatSync(fd).size;
    if (size >= HEADER_BYTES) checkHeader(fd, file);
    const records = Math.max(0, Math.floor((size - HEADER_BYTES) / RECORD_BYTES));
    return read(fd, HEADER_BYTES + records * RECORD_BYTES);
  } finally {
    fs.closeSync(fd);
  }
}

function checkHeader(fd: number, file: string): void {
  const header = Buffer.alloc(HEADER_BYTES);
  fs.readSync(fd, header, 0, HEADER_BYTES, 0);
  const magic = header.toString('latin1', 0, 4);
  const version = header.readUInt32LE(4);
  if (magic !== SERIES_MAGIC)
    throw new Error(`${file} is not a series file (its header does not start with LMSR)`);
  if (version > SERIES_FORMAT_VERSION) {
    throw new Error(
      `${file} uses series format ${version}, newer than this version reads (${SERIES_FORMAT_VERSION}): update Learning Mechanics Lab`,
    );
  }
}

/**
 * Reads the records between the header and byte `end` in chunks, in file order, calling `decode` with a view
 * of each chunk and its length in bytes (a whole number of records). The decoding loops live in the callers and
 * use DataView, which is several times faster than a per-record callback or Buffer's read methods.
 */
function forEachChunk(fd: number, end: number, decode: (view: DataView, length: number) => void): void {
  const chunk = Buffer.allocUnsafe(CHUNK_RECORDS * RECORD_BYTES);
  const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.length);
  for (let position = HEADER_BYTES; position < end;) {
    const want = Math.min(chunk.length, end - position);
    const got = readFully(fd, chunk, want, position);
    decode(view, got - (got % RECORD_BYTES));
    if (got < want) return; // the file shrank under us: nothing more to read
    position += got;
  }
}

function readFully(fd: number, buffer: Buffer, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buffer, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/** Runs `io`, turning a missing file into an error that says which run file is missing. */
function readOrThrow<T>(file: string, io: () => T): T {
  try {
    return io();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'is missing (the run folder is damaged or was not made by the lab)' : '';
    throw new Error(`${file} ${why || `cannot be read: ${(err as Error).message}`}`, { cause: err });
  }
}
