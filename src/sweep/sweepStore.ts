import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { z } from 'zod';
import { writeFileAtomicSync } from '../store/atomicWrite';
import { isProcessAlive } from '../store/liveness';
import { ParamValue } from '../store/manifest';
import { SWEEPS_FOLDER } from '../store/runsDir';
import { SweepLaws } from './laws/result';
import { SweepSpec } from './spec';

/**
 * A sweep on disk, under `<runsDir>/sweeps/<id>/`:
 * - `sweep.json`: what the sweep is (file, experiment, spec, its points' parameters and seeds), written by the
 *   process that starts or resumes it (the coordinator), with the coordinator's pid and host;
 * - `points/<index>.json`: one record per point, written atomically by whoever runs that point (the local pool,
 *   or a worker on a cluster node reading and writing through the shared filesystem), so no two processes ever
 *   write the same file. Every point's run is an ordinary run in `<runsDir>`, tagged with the sweep id and index.
 */
export const SWEEP_SCHEMA_VERSION = 1;

export const PointState = z.enum(['pending', 'running', 'completed', 'failed', 'diverged', 'cancelled']);
export type PointState = z.infer<typeof PointState>;

export const SweepBackend = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('local'), workers: z.number().int().positive() }),
  z.object({
    kind: z.literal('slurm'),
    jobId: z.string().nullable(),
    pointsPerTask: z.number().int().positive(),
    /** The submission `jobId` belongs to: its folder `slurm/<submission>/` (src/sweep/slurm.ts). */
    submission: z.number().int().positive().optional(),
  }),
]);
export type SweepBackend = z.infer<typeof SweepBackend>;

export const SweepManifest = z.object({
  schemaVersion: z.literal(SWEEP_SCHEMA_VERSION),
  id: z.string(),
  name: z.string(),
  experiment: z.string(),
  file: z.string(),
  spec: SweepSpec,
  /** Steps of every point's run (the spec's, else the experiment's). */
  steps: z.number().int().positive(),
  points: z.array(
    z.object({ index: z.number().int(), overrides: z.record(z.string(), ParamValue), seed: z.number() }),
  ),
  createdAt: z.string(),
  backend: SweepBackend,
  coordinator: z.object({ pid: z.number().int(), hostname: z.string() }).nullable(),
});
export type SweepManifest = z.infer<typeof SweepManifest>;

export const PointRecord = z.object({
  index: z.number().int(),
  state: PointState,
  runId: z.string().nullable(),
  attempts: z.number().int().nonnegative(),
  error: z.string().nullable(),
  /** Summary values by series name (`loss`, `modes[0]`), null where the series had no finite sample. */
  summary: z.record(z.string(), z.number().nullable()),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  /** The process running the point, so a coordinator can tell a live point from an abandoned one. */
  executor: z.object({ pid: z.number().int(), hostname: z.string() }).nullable(),
});
export type PointRecord = z.infer<typeof PointRecord>;

export function sweepsDir(runsDir: string): string {
  return path.join(runsDir, SWEEPS_FOLDER);
}

export function sweepDir(runsDir: string, id: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(id)) throw new Error(`'${id}' is not a sweep id`);
  return path.join(sweepsDir(runsDir), id);
}

export function writeSweepManifest(dir: string, manifest: SweepManifest): void {
  fs.mkdirSync(path.join(dir, 'points'), { recursive: true });
  writeFileAtomicSync(
    path.join(dir, 'sweep.json'),
    JSON.stringify(SweepManifest.parse(manifest), null, 2) + '\n',
  );
}

/** The sweep's manifest; throws naming the file when it is missing or invalid. */
export function readSweepManifest(dir: string): SweepManifest {
  const file = path.join(dir, 'sweep.json');
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read sweep ${file}: ${(error as Error).message}`);
  }
  const parsed = SweepManifest.safeParse(json);
  if (!parsed.success)
    throw new Error(`${file} is not a valid sweep manifest: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

export function pendingRecord(index: number): PointRecord {
  return {
    index,
    state: 'pending',
    runId: null,
    attempts: 0,
    error: null,
    summary: {},
    startedAt: null,
    endedAt: null,
    executor: null,
  };
}

export function writePoint(dir: string, record: PointRecord): void {
  writeFileAtomicSync(
    path.join(dir, 'points', `${record.index}.json`),
    JSON.stringify(PointRecord.parse(record)) + '\n',
  );
}

/** A point's record; pending when it has none yet, and failed (keeping its run) when the file is damaged. */
export function readPoint(dir: string, index: number): PointRecord {
  const file = path.join(dir, 'points', `${index}.json`);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return pendingRecord(index);
  }
  try {
    return PointRecord.parse(JSON.parse(text));
  } catch (error) {
    return {
      ...pendingRecord(index),
      state: 'failed',
      error: `damaged point record ${file}: ${(error as Error).message}`,
    };
  }
}

/**
 * The point as a reader should see it: a `running` point whose executor is gone (a process on this host that
 * no longer exists) was interrupted, so it is `cancelled` and will run again. A point running on another host
 * cannot be probed here; the cluster backend judges those from the scheduler's state.
 */
export function withPointLiveness(record: PointRecord, hostname = os.hostname()): PointRecord {
  if (record.state !== 'running' || !record.executor || record.executor.hostname !== hostname) return record;
  if (isProcessAlive(record.executor.pid)) return record;
  return {
    ...record,
    state: 'cancelled',
    error: `interrupted: its process (pid ${record.executor.pid}) ended`,
  };
}

export function readPoints(dir: string, count: number): PointRecord[] {
  return Array.from({ length: count }, (_, i) => withPointLiveness(readPoint(dir, i)));
}

/** Every sweep in the runs directory with its manifest, newest first; unreadable ones are skipped. */
export function listSweeps(runsDir: string): SweepManifest[] {
  let names: string[];
  try {
    names = fs.readdirSync(sweepsDir(runsDir));
  } catch {
    return [];
  }
  const sweeps: SweepManifest[] = [];
  for (const name of names) {
    try {
      sweeps.push(readSweepManifest(path.join(sweepsDir(runsDir), name)));
    } catch {
      // not a sweep folder, or one being created
    }
  }
  return sweeps.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/**
 * The sweep's laws as last evaluated (src/sweep/laws.ts), in `laws.json` next to `sweep.json`: written by the
 * coordinator when the sweep ends (or by whoever re-evaluates them), read by the panel and `lm sweep --json`.
 */
export function writeSweepLaws(dir: string, laws: SweepLaws): void {
  writeFileAtomicSync(path.join(dir, 'laws.json'), JSON.stringify(SweepLaws.parse(laws), null, 2) + '\n');
}

/** The laws last evaluated, or null when they never were; throws naming the file when it is damaged. */
export function readSweepLaws(dir: string): SweepLaws | null {
  const file = path.join(dir, 'laws.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = SweepLaws.safeParse(json);
  if (!parsed.success)
    throw new Error(`${file} is not a valid laws file: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}
