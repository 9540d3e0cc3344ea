import * as fs from 'node:fs';
import * as path from 'node:path';
import { withLiveness } from './liveness';
import type { Manifest } from './manifest';
import { readManifest } from './manifestFile';
import { isRunId, runPath } from './runId';
import { existingRunDir } from './runReader';

/**
 * The runs directory as a whole: listing, resolving what the user typed to a run id, deleting. A run is a
 * sub-folder (not a symlink) whose name is a valid run id; anything else in the directory is ignored.
 */

/** One entry of {@link listRuns}: the run's manifest, or the reason it cannot be read. */
export type RunSummary =
  | { id: string; dir: string; manifest: Manifest; problem: null }
  | { id: string; dir: string; manifest: null; problem: string };

/** How many candidates an unknown or ambiguous reference lists. */
const SHOWN_CANDIDATES = 5;

/**
 * Every run in `runsDir`, newest first (by `startedAt`, else the time in the id, else the folder's mtime).
 * A missing `runsDir` gives `[]`. A run whose manifest is missing, corrupt or of a newer schema is an entry
 * with a `problem`; a `running` run whose writer died is reported `failed` (see `liveness.ts`).
 */
export function listRuns(runsDir: string): RunSummary[] {
  const summaries = runIds(runsDir).map((id) => summarize(runsDir, id));
  const keyed = summaries.map((summary) => ({ summary, time: startTime(summary) }));
  keyed.sort((a, b) => b.time - a.time || compareDescending(a.summary.id, b.summary.id));
  return keyed.map((k) => k.summary);
}

/** The ids of the runs in `runsDir` (unordered); `[]` if it does not exist. */
export function runIds(runsDir: string): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(runsDir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new Error(`Cannot list the runs directory ${path.resolve(runsDir)}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return entries
    .filter((e) => e.isDirectory() && e.name !== SWEEPS_FOLDER && isRunId(e.name))
    .map((e) => e.name);
}

/** The sub-folder where sweeps keep their manifests (src/sweep/sweepStore.ts); never a run. */
export const SWEEPS_FOLDER = 'sweeps';

function summarize(runsDir: string, id: string): RunSummary {
  const dir = runPath(runsDir, id);
  const read = readManifest(dir);
  if (read.problem !== null) return { id, dir, manifest: null, problem: read.problem };
  return { id, dir, manifest: withLiveness(read.manifest), problem: null };
}

/** Milliseconds since the epoch at which the run started, as best known. */
function startTime(summary: RunSummary): number {
  const started = summary.manifest ? Date.parse(summary.manifest.startedAt) : NaN;
  if (Number.isFinite(started)) return started;
  const m = /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})/.exec(summary.id);
  if (m) return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  return fs.statSync(summary.dir, { throwIfNoEntry: false })?.mtimeMs ?? 0;
}

function compareDescending(a: string, b: string): number {
  return a < b ? 1 : a > b ? -1 : 0;
}

/**
 * The run id that `ref` designates in `runsDir`: an exact id, `latest` (the first run of {@link listRuns}, even
 * if its manifest has a problem), or a prefix of exactly one id. Throws, listing a few candidates, when `ref`
 * matches no run or several.
 */
export function resolveRunId(runsDir: string, ref: string): string {
  const ids = runIds(runsDir).sort(compareDescending);
  const where = path.resolve(runsDir);
  if (ids.includes(ref)) return ref;
  if (ids.length === 0) throw new Error(`No run ${JSON.stringify(ref)}: there are no runs in ${where}`);
  if (ref === 'latest') return listRuns(runsDir)[0].id;
  const matches = ref === '' ? [] : ids.filter((id) => id.startsWith(ref));
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) {
    throw new Error(
      `Run reference ${JSON.stringify(ref)} is ambiguous in ${where}: it starts ${matches.length} run ids ` +
        `(${listSome(matches)}); type more of the id`,
    );
  }
  throw new Error(`No run matches ${JSON.stringify(ref)} in ${where}; recent runs: ${listSome(ids)}`);
}

function listSome(ids: string[]): string {
  const shown = ids.slice(0, SHOWN_CANDIDATES).join(', ');
  return ids.length > SHOWN_CANDIDATES ? `${shown}, ... (${ids.length - SHOWN_CANDIDATES} more)` : shown;
}

/**
 * Deletes the folder of run `id` and everything in it, and nothing else. Throws if the id is invalid (so it
 * cannot name anything outside `runsDir`) or there is no such run. Deleting a run that is still being
 * written is the caller's decision: check its status first.
 */
export function deleteRun(runsDir: string, id: string): void {
  const dir = existingRunDir(runsDir, id);
  fs.rmSync(dir, { recursive: true, force: true });
}
