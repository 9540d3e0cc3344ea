import * as fs from 'node:fs';
import type { Sample } from '../protocol/series';
import type { Manifest } from './manifest';
import { writeManifest } from './manifestFile';
import { runPath } from './runId';
import { SeriesFileWriter } from './seriesFile';

/**
 * Writing one run: the runner process creates it, appends samples as training goes, updates the manifest
 * (progress, status, scores), and closes it. All I/O is synchronous on purpose: when a call returns, its data is
 * in the OS, so killing the runner right after cannot lose it.
 *
 * Run folder: `manifest.json` (see `manifestFile.ts`) and the series files (see `seriesFile.ts`).
 */

export interface RunWriterOptions {
  /** Size of the sample buffer; it is written out each time it fills. Default 256 KiB (~9k samples). */
  bufferBytes?: number;
}

/**
 * Creates the folder of run `manifest.id` in `runsDir` (creating `runsDir` if needed) and returns its writer.
 * Throws if the id is invalid, the manifest does not match the schema, or the run folder already exists.
 * The series files are created before the manifest, so any folder with a manifest has them.
 */
export function createRun(runsDir: string, manifest: Manifest, options: RunWriterOptions = {}): RunWriter {
  const dir = runPath(runsDir, manifest.id);
  fs.mkdirSync(runsDir, { recursive: true });
  try {
    fs.mkdirSync(dir);
  } catch (err) {
    const exists = (err as NodeJS.ErrnoException).code === 'EEXIST';
    const why = exists ? 'it already exists' : (err as Error).message;
    throw new Error(`Cannot create run ${manifest.id} at ${dir}: ${why}`, { cause: err });
  }
  let series: SeriesFileWriter | undefined;
  try {
    series = SeriesFileWriter.create(dir, options.bufferBytes);
    return new RunWriter(dir, writeManifest(dir, manifest), series);
  } catch (err) {
    series?.close();
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** The single writer of one run. Not shareable between processes. */
export class RunWriter {
  private current: Manifest;
  private closed = false;

  /** Use {@link createRun}. */
  constructor(
    /** The run folder (absolute). */
    readonly dir: string,
    manifest: Manifest,
    private readonly series: SeriesFileWriter,
  ) {
    this.current = manifest;
  }

  get id(): string {
    return this.current.id;
  }

  /** The manifest as last written. */
  get manifest(): Readonly<Manifest> {
    return this.current;
  }

  /** The series names seen so far, in first-append order. */
  get seriesNames(): string[] {
    return this.series.names;
  }

  /** Buffers `samples`; they reach disk when the buffer fills, on {@link flush}, or on {@link close}. */
  append(samples: readonly Sample[]): void {
    if (this.closed) throw new Error(`Cannot append to run ${this.id}: its writer is closed`);
    this.series.append(samples);
  }

  /** Writes buffered samples to the series file. */
  flush(): void {
    this.series.flush();
  }

  /**
   * Merges `patch` into the manifest, validates it, flushes buffered samples (so the manifest never claims more
   * than the series file holds), and rewrites `manifest.json` atomically. Allowed after {@link close}, so the
   * final status can be recorded once the data is complete. The run id cannot change.
   */
  updateManifest(patch: Partial<Manifest>): Manifest {
    if (patch.id !== undefined && patch.id !== this.id) {
      throw new Error(`Cannot change the id of run ${this.id} to ${patch.id}`);
    }
    this.series.flush();
    this.current = writeManifest(this.dir, { ...this.current, ...patch });
    return this.current;
  }

  /** Flushes and closes the series files. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.series.close();
  }
}
