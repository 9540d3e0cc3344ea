import * as os from 'node:os';
import type { BackendChoice } from '../protocol/runner';
import { formatSeconds, num } from '../series/format';
import { DescribeError } from '../host/describe';
import { runLocalPool } from '../sweep/localPool';
import { pointsToRun, prepareSweep } from '../sweep/prepare';
import { formatSweepProgress, sweepProgress } from '../sweep/progress';
import { parseGridOption, SweepSpecError } from '../sweep/spec';
import type { PointRecord, SweepManifest } from '../sweep/sweepStore';
import { EXIT } from './runCommand';
import { table } from './table';

export interface SweepFlags {
  experiment?: string;
  sweep?: string;
  grid: string[];
  seeds?: number;
  steps?: number;
  workers?: number;
  backend: 'local';
  tfjsBackend: BackendChoice;
  retryFailed?: boolean;
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
      backend: { kind: 'local', workers },
    });
  } catch (error) {
    if (error instanceof SweepSpecError || error instanceof DescribeError) {
      console.error(`lm sweep: ${error.message}`);
      return EXIT.usage;
    }
    throw error;
  }
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
  if (flags.json) console.log(JSON.stringify(sweepResult(manifest, dir, all)));
  else console.log(formatSweep(manifest, all));
  if (interrupted) return EXIT.cancelled;
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
