import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeFile } from '../host/describe';
import type { RunnerOptions } from '../host/runnerProcess';
import type { DescribedExperiment } from '../protocol/runner';
import { isProcessAlive } from '../store/liveness';
import { loadManifest } from '../store/runReader';
import type { ParamValue } from '../store/manifest';
import { expandSweep, parseSweepSpec, sweepId, SweepSpecError } from './spec';
import {
  readPoints,
  readSweepManifest,
  sweepDir,
  writeSweepManifest,
  type PointRecord,
  type SweepBackend,
  type SweepManifest,
} from './sweepStore';

/** What the user asked for: a file, which experiment and sweep in it, and changes from the command line. */
export interface SweepRequest {
  file: string;
  experiment?: string;
  /** Which `@sweep` of the experiment; required when it declares several. */
  sweep?: string;
  /** Grid lists that replace (or add to) the declared ones. */
  grid?: Record<string, ParamValue[]>;
  seeds?: number;
  steps?: number;
  runsDir: string;
  backend: SweepBackend;
  runner?: RunnerOptions;
  /** Run again the finished points whose run used another version of the file (see `stale`). */
  rerunStale?: boolean;
}

export interface PreparedSweep {
  dir: string;
  manifest: SweepManifest;
  points: PointRecord[];
  /** True when the sweep existed and is being resumed. */
  resumed: boolean;
  /**
   * Finished points whose run trained another version of the file (its content hash differs from the file's
   * now): kept by default, since editing a comment or a law should not discard a sweep, and pending when the
   * request says `rerunStale`.
   */
  stale: number[];
}

/**
 * Finds or creates the sweep a request names. The sweep's id hashes the file, experiment and final spec, so
 * asking again for the same sweep resumes it (its point records are kept) rather than starting over. Refuses
 * when another live process on this host is coordinating the same sweep.
 */
export async function prepareSweep(request: SweepRequest): Promise<PreparedSweep> {
  const file = path.resolve(request.file);
  const experiments = await describeFile(file, request.runner);
  const experiment = pickExperiment(experiments, file, request.experiment);
  const { name, options } = pickSweep(
    experiment,
    request.sweep,
    request.grid !== undefined || request.seeds !== undefined,
  );
  const declared = (options ?? {}) as Record<string, unknown>;
  const merged = {
    ...declared,
    ...(request.grid && { grid: { ...(declared.grid as object), ...request.grid } }),
    ...(request.seeds !== undefined && { seeds: request.seeds }),
    ...(request.steps !== undefined && { steps: request.steps }),
  };
  const spec = parseSweepSpec(name, merged, { ...experiment, experiment: experiment.name });
  const id = sweepId(file, experiment.name, name, spec);
  const dir = sweepDir(request.runsDir, id);
  const resumed = fs.existsSync(path.join(dir, 'sweep.json'));
  const existing = resumed ? readSweepManifest(dir) : undefined;
  const coordinator = existing?.coordinator;
  if (
    coordinator &&
    coordinator.hostname === os.hostname() &&
    coordinator.pid !== process.pid &&
    isProcessAlive(coordinator.pid)
  ) {
    throw new SweepSpecError(`sweep ${id} is already being run by process ${coordinator.pid}; stop it first`);
  }
  const manifest: SweepManifest = {
    schemaVersion: 1,
    id,
    name,
    experiment: experiment.name,
    file,
    spec,
    steps: spec.steps ?? experiment.steps,
    points: expandSweep(spec),
    createdAt: existing?.createdAt ?? new Date().toISOString(),
    backend: request.backend,
    coordinator: { pid: process.pid, hostname: os.hostname() },
  };
  writeSweepManifest(dir, manifest);
  const contentHash = createHash('sha256').update(fs.readFileSync(file, 'utf8')).digest('hex');
  const points = readPoints(dir, manifest.points.length);
  const stale = points.filter((p) => isStale(p, request.runsDir, contentHash)).map((p) => p.index);
  const current = request.rerunStale
    ? points.map((p) => (stale.includes(p.index) ? { ...p, state: 'pending' as const } : p))
    : points;
  return { dir, manifest, points: current, resumed, stale };
}

function isStale(point: PointRecord, runsDir: string, contentHash: string): boolean {
  if ((point.state !== 'completed' && point.state !== 'diverged') || !point.runId) return false;
  try {
    return loadManifest(runsDir, point.runId).contentHash !== contentHash;
  } catch {
    return false; // the run was deleted: its summary in the point record is what remains
  }
}

function pickExperiment(
  experiments: DescribedExperiment[],
  file: string,
  name?: string,
): DescribedExperiment {
  const names = experiments.map((e) => e.name).join(', ');
  if (name !== undefined) {
    const found = experiments.find((e) => e.name === name);
    if (!found) throw new SweepSpecError(`${file} has no experiment '${name}' (it has: ${names || 'none'})`);
    return found;
  }
  if (experiments.length === 1) return experiments[0];
  if (experiments.length === 0) throw new SweepSpecError(`${file} defines no @experiment class`);
  throw new SweepSpecError(`${file} defines several experiments (${names}); choose one with --experiment`);
}

function pickSweep(experiment: DescribedExperiment, name: string | undefined, fromCommandLine: boolean) {
  const declared = experiment.sweeps.map((s) => s.name).join(', ');
  if (name !== undefined) {
    const found = experiment.sweeps.find((s) => s.name === name);
    if (found) return found;
    if (fromCommandLine && experiment.sweeps.length === 0) return { name, options: {} };
    throw new SweepSpecError(
      `${experiment.name} has no @sweep '${name}' (it declares: ${declared || 'none'})`,
    );
  }
  if (experiment.sweeps.length === 1) return experiment.sweeps[0];
  if (experiment.sweeps.length > 1) {
    throw new SweepSpecError(
      `${experiment.name} declares several sweeps (${declared}); choose one with --sweep`,
    );
  }
  if (fromCommandLine) return { name: 'cli', options: {} };
  throw new SweepSpecError(
    `${experiment.name} declares no @sweep; add one, or give --grid name=values or --seeds N`,
  );
}

/** The points a run of the sweep should (re)start: never completed or diverged ones; failed ones on request. */
export function pointsToRun(points: PointRecord[], retryFailed: boolean): PointRecord[] {
  return points.filter(
    (p) => p.state === 'pending' || p.state === 'cancelled' || (retryFailed && p.state === 'failed'),
  );
}
