import * as os from 'node:os';
import type { BackendChoice } from '../protocol/runner';
import { formatSeconds, num } from '../series/format';
import { DescribeError } from '../host/describe';
import { runLocalPool } from '../sweep/localPool';
import { pointsToRun, prepareSweep } from '../sweep/prepare';
import { formatSweepProgress, sweepProgress } from '../sweep/progress';
import { checkSlurmOptions, SlurmError, SlurmOptionError, type SlurmOptions } from '../sweep/slurm';
import { runSlurmSweep } from '../sweep/slurmRun';
import { parseGridOption, SweepSpecError } from '../sweep/spec';
import type { PointRecord, SweepManifest } from '../sweep/sweepStore';
import { EXIT } from './runCommand';
import { table } from './table';
import { formatLaws, recordSweepLaws } from '../sweep/laws/record';

export interface SweepFlags {
  experiment?: string;
  sweep?: string;
  grid: string[];
  seeds?: number;
  steps?: number;
  workers?: number;
  backend: 'local' | 'slurm';
  tfjsBackend: BackendChoice;
  /** SLURM backend (src/sweep/slurm.ts). */
  partition?: string;
  time?: string;
  cpusPerTask?: number;
  mem?: string;
  sbatchLine?: string[];
  pointsPerTask?: number;
  maxRunning?: number;
  pollSeconds?: number;
  detach?: boolean;
  retryFailed?: boolean;
  rerunStale?: boolean;
  runsDir: string;
  json?: boolean;
}

/**
 * `lm sweep`: runs (or resumes) a sweep on this machine and prints one row per point. Exit 0 when every point
 * completed or diverged, 1 when some failed, 2 for bad input, 130 when stopped with Ctrl-C (what ran is kept;
 * running the same command again continues).
 */
export async function sweepCommand(file: string, flags: SweepFlags): Promise<number> {
  const workers = flags.workers ?? os.availableParallelism();
  const slurm = flags.backend === 'slurm' ? slurmOptions(flags) : undefined;
  if (slurm) {
    try {
      checkSlurmOptions(slurm);
    } catch (error) {
      if (!(error instanceof SlurmOptionError)) throw error;
      console.error(`lm sweep: ${error.message}`);
      return EXIT.usage;
    }
  }
  let prepared;
  try {
    prepared = await prepareSweep({
      file,
      experiment: flags.experiment,
      sweep: flags.sweep,
      grid: flags.grid.length > 0 ? Object.fromEntries(flags.grid.map(parseGridOption)) : undefined,
      seeds: flags.seeds,
      steps: flags.steps,
      runsDir: flags.runsDir,
      backend: slurm
        ? { kind: 'slurm', jobId: null, pointsPerTask: slurm.pointsPerTask ?? 1 }
        : { kind: 'local', workers },
      rerunStale: flags.rerunStale ?? false,
    });
  } catch (error) {
    if (error instanceof SweepSpecError || error instanceof DescribeError) {
      console.error(`lm sweep: ${error.message}`);
      return EXIT.usage;
    }
    throw error;
  }
  if (prepared.stale.length > 0) {
    console.error(
      flags.rerunStale
        ? `lm sweep: running again ${prepared.stale.length} points that trained an earlier version of ${file}`
        : `lm sweep: ${prepared.stale.length} finished points trained an earlier version of ${file}; kept (--rerun-stale runs them again)`,
    );
  }
  if (slurm) return slurmSweep(prepared, slurm, flags);
  const { dir, manifest } = prepared;
  const points = new Map(prepared.points.map((p) => [p.index, p]));
  const queue = pointsToRun(prepared.points, flags.retryFailed ?? false);
  const log = (line: string) => (flags.json ? undefined : console.error(line));
  const skipped = manifest.points.length - queue.length;
  log(
    `sweep ${manifest.id}: ${manifest.points.length} points of ${manifest.experiment}, ${queue.length} to run` +
      `${skipped ? ` (${skipped} already done${prepared.resumed ? ', resuming' : ''})` : ''}, ${workers} worker${workers > 1 ? 's' : ''}`,
  );
  const start = performance.now();
  let finished = 0;
  const draw = () => {
    if (flags.json || !process.stderr.isTTY) return;
    const progress = sweepProgress([...points.values()], finished, (performance.now() - start) / 1000);
    process.stderr.write(`\r${formatSweepProgress(progress, formatSeconds)}\x1b[K`);
  };
  const pool = runLocalPool(dir, manifest, queue, {
    workers,
    runsDir: flags.runsDir,
    backend: flags.tfjsBackend,
    changed: (record) => {
      if (record.state !== 'running') finished++;
      points.set(record.index, record);
      draw();
      if (record.state === 'failed') log(`\npoint ${record.index} failed: ${record.error}`);
    },
  });
  let interrupted = false;
  const onInterrupt = () => {
    interrupted = true;
    pool.stop();
  };
  process.on('SIGINT', onInterrupt);
  await pool.done;
  process.off('SIGINT', onInterrupt);
  if (!flags.json && process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  const all = [...points.values()].sort((a, b) => a.index - b.index);
  const laws = recordSweepLaws(dir, manifest, all, flags.runsDir);
  if (flags.json) console.log(JSON.stringify({ ...sweepResult(manifest, dir, all), laws }));
  else console.log(formatSweep(manifest, all) + formatLaws(laws));
  if (interrupted) return EXIT.cancelled;
  return all.some((p) => p.state === 'failed' || p.state === 'cancelled') ? EXIT.failed : EXIT.completed;
}

function slurmOptions(flags: SweepFlags): SlurmOptions {
  return {
    partition: flags.partition,
    time: flags.time,
    cpusPerTask: flags.cpusPerTask,
    mem: flags.mem,
    sbatchLines: flags.sbatchLine ?? [],
    pointsPerTask: flags.pointsPerTask,
    maxRunning: flags.maxRunning,
    pollSeconds: flags.pollSeconds ?? 30,
    detach: flags.detach,
  };
}

/**
 * The SLURM backend: one job array for the points to run, followed by polling squeue (src/sweep/slurmRun.ts).
 * Ctrl-C cancels the job (scancel) and marks its running points cancelled; --detach submits and returns.
 */
async function slurmSweep(
  prepared: Awaited<ReturnType<typeof prepareSweep>>,
  slurm: SlurmOptions,
  flags: SweepFlags,
): Promise<number> {
  const { dir, manifest } = prepared;
  // notices (submitted, held, failed or cancelled tasks) go to stderr with --json too: stdout stays one JSON
  // object, and a held task must not wait silently
  const log = (line: string) => {
    if (!flags.json && process.stderr.isTTY) process.stderr.write('\r\x1b[K');
    console.error(line);
  };
  const queued = pointsToRun(prepared.points, flags.retryFailed ?? false).length;
  const skipped = manifest.points.length - queued;
  if (!flags.json)
    log(
      `sweep ${manifest.id}: ${manifest.points.length} points of ${manifest.experiment}, ${queued} to run` +
        `${skipped ? ` (${skipped} already done${prepared.resumed ? ', resuming' : ''})` : ''}, on SLURM`,
    );
  const start = performance.now();
  let lastLine = '';
  let onInterrupt = () => undefined as void;
  const interrupt = new Promise<void>((resolve) => (onInterrupt = resolve));
  const sigint = () => {
    log('stopping: cancelling the SLURM job...');
    onInterrupt();
  };
  process.on('SIGINT', sigint);
  let result;
  try {
    result = await runSlurmSweep(prepared, {
      slurm,
      tfjsBackend: flags.tfjsBackend,
      retryFailed: flags.retryFailed ?? false,
      log,
      interrupt,
      progress: (points, _views, job, finished) => {
        if (flags.json) return;
        const progress = sweepProgress(points, finished, (performance.now() - start) / 1000);
        const line = `${formatSweepProgress(progress, formatSeconds)} · ${job}`;
        if (process.stderr.isTTY) process.stderr.write(`\r${line}\x1b[K`);
        else if (line !== lastLine) console.error(line);
        lastLine = line;
      },
    });
  } catch (error) {
    if (!(error instanceof SlurmError)) throw error;
    if (!flags.json && process.stderr.isTTY) process.stderr.write('\r\x1b[K');
    console.error(`lm sweep: ${error.message}`);
    return EXIT.failed;
  } finally {
    process.off('SIGINT', sigint);
  }
  if (!flags.json && process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  const all = [...result.points].sort((a, b) => a.index - b.index);
  const laws = result.detached ? [] : recordSweepLaws(dir, manifest, all, flags.runsDir);
  if (flags.json)
    console.log(JSON.stringify({ ...sweepResult(manifest, dir, all), laws, jobIds: result.jobIds }));
  else console.log(formatSweep(manifest, all) + formatLaws(laws));
  if (result.interrupted) return EXIT.cancelled;
  if (result.detached) return EXIT.completed;
  return all.some((p) => p.state === 'failed' || p.state === 'cancelled') ? EXIT.failed : EXIT.completed;
}

export function sweepResult(manifest: SweepManifest, dir: string, points: PointRecord[]) {
  return {
    id: manifest.id,
    dir,
    experiment: manifest.experiment,
    file: manifest.file,
    sweep: manifest.name,
    points: points.map((p) => ({ ...manifest.points[p.index], ...p })),
  };
}

/** One row per point: the parameters the sweep varies, the seed, the state, the summaries, the run. */
export function formatSweep(manifest: SweepManifest, points: PointRecord[]): string {
  const varied = [...new Set(manifest.points.flatMap((p) => Object.keys(p.overrides)))];
  const seeds = new Set(manifest.points.map((p) => p.seed)).size > 1;
  const summaries = [...new Set(points.flatMap((p) => Object.keys(p.summary)))];
  const header = ['#', ...varied, ...(seeds ? ['seed'] : []), 'state', ...summaries, 'run'];
  const rows = points.map((p) => {
    const point = manifest.points[p.index];
    return [
      String(p.index),
      ...varied.map((name) => formatValue(point.overrides[name])),
      ...(seeds ? [String(point.seed)] : []),
      p.state,
      ...summaries.map((s) =>
        p.summary[s] === undefined || p.summary[s] === null ? '-' : num(p.summary[s]),
      ),
      p.runId ?? '-',
    ];
  });
  return table(header, rows);
}

function formatValue(value: unknown): string {
  if (value === undefined) return '-';
  return typeof value === 'number' ? num(value) : JSON.stringify(value);
}
