import * as fs from 'node:fs';
import * as path from 'node:path';
import { withLiveness } from './liveness';
import type { Manifest } from './manifest';
import { MANIFEST_FILE, readManifest } from './manifestFile';
import { runPath } from './runId';
import type { SeriesData, StepRange } from './seriesData';
import { readAllSeries, readNames, readOneSeries } from './seriesReader';

/**
 * Reading one run, by exact id (see `runsDir.ts` to resolve `latest` or a prefix). Pure readers: they never
 * write, and they may run while the run's writer is still appending (they see what it has flushed). Every
 * error names the run and the file and says what is wrong.
 */

export interface LoadedRun {
  manifest: Manifest;
  /** Every series, in first-append order. */
  series: Map<string, SeriesData>;
}

/** The manifest of run `id`, with a dead writer's `running` reported as `failed` (see `liveness.ts`). */
export function loadManifest(runsDir: string, id: string): Manifest {
  const dir = existingRunDir(runsDir, id);
  const read = readManifest(dir);
  if (read.problem !== null) throw new Error(`Run ${id}: ${read.problem} (${path.join(dir, MANIFEST_FILE)})`);
  return withLiveness(read.manifest);
}

/** The manifest and all series of run `id`. */
export function loadRun(runsDir: string, id: string): LoadedRun {
  const manifest = loadManifest(runsDir, id);
  return { manifest, series: inRun(id, () => readAllSeries(runPath(runsDir, id))) };
}

/** The series names of run `id`, in first-append order. */
export function seriesNames(runsDir: string, id: string): string[] {
  const dir = existingRunDir(runsDir, id);
  return inRun(id, () => readNames(dir));
}

/**
 * The samples of series `name` of run `id` with `range.from <= step <= range.to` (each bound optional), in
 * append order. Reads the series file once and keeps no other series. Throws, listing some of the run's series,
 * when the run has no series `name`.
 */
export function loadSeries(runsDir: string, id: string, name: string, range?: StepRange): SeriesData {
  const dir = existingRunDir(runsDir, id);
  const data = inRun(id, () => readOneSeries(dir, name, range));
  if (data === undefined) {
    throw new Error(
      `Run ${id} has no series ${JSON.stringify(name)}; it has ${listSome(seriesNames(runsDir, id))}`,
    );
  }
  return data;
}

/** The folder of run `id`; throws if the id is invalid or there is no such run (a symlink is not a run). */
export function existingRunDir(runsDir: string, id: string): string {
  const dir = runPath(runsDir, id);
  if (!fs.lstatSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new Error(`No run ${id} in ${path.resolve(runsDir)}`);
  }
  return dir;
}

/** Runs `read`, prefixing any error with the run id. */
function inRun<T>(id: string, read: () => T): T {
  try {
    return read();
  } catch (err) {
    throw new Error(`Run ${id}: ${(err as Error).message}`, { cause: err });
  }
}

function listSome(names: string[], max = 8): string {
  if (names.length === 0) return 'no series yet';
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}
