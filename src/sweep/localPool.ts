import * as os from 'node:os';
import { runPoint, type PointOptions, type RunningPoint } from './runPoint';
import type { PointRecord, SweepManifest } from './sweepStore';

export interface PoolOptions extends PointOptions {
  workers: number;
  /** Called whenever a point starts or ends. */
  changed?(record: PointRecord): void;
}

/** A local sweep in progress: stop it (running points become cancelled, queued ones stay pending). */
export interface PoolRun {
  stop(): void;
  done: Promise<PointRecord[]>;
}

/**
 * Runs points on this machine, at most `workers` runner processes at a time, in index order. With several
 * workers each runner's BLAS pool gets cores / workers threads (LM_BLAS_THREADS, unless set), and when the
 * workers fill the cores each runner's V8 runs `--single-threaded` (no GC or compiler threads): a lone runner
 * uses ~1.3 cores, so two of them on two cores otherwise fight. Measured (`npm run bench -- sweepLocal`, 16
 * deep-linear points of 6000 steps, 2 cores): 2 workers took 14.1 s with V8's threads, 12.7 s without.
 */
export function runLocalPool(
  dir: string,
  sweep: SweepManifest,
  queue: PointRecord[],
  options: PoolOptions,
): PoolRun {
  const waiting = [...queue];
  const running = new Set<RunningPoint>();
  const results: PointRecord[] = [];
  let stopping = false;
  const threads = String(Math.max(1, Math.floor(os.availableParallelism() / options.workers)));
  const fillsCores = options.workers > 1 && options.workers >= os.availableParallelism();
  const runner = {
    ...options.runner,
    execArgv: [...(options.runner?.execArgv ?? []), ...(fillsCores ? ['--single-threaded'] : [])],
  };
  const done = new Promise<PointRecord[]>((resolve) => {
    const next = () => {
      while (!stopping && running.size < options.workers && waiting.length > 0) {
        const previous = waiting.shift()!;
        const saved = process.env.LM_BLAS_THREADS;
        process.env.LM_BLAS_THREADS ??= threads;
        const point = runPoint(dir, sweep, previous, { ...options, runner });
        if (saved === undefined) delete process.env.LM_BLAS_THREADS;
        running.add(point);
        options.changed?.({ ...previous, state: 'running' });
        void point.done.then((record) => {
          running.delete(point);
          results.push(record);
          options.changed?.(record);
          next();
        });
      }
      if (running.size === 0 && (stopping || waiting.length === 0))
        resolve(results.sort((a, b) => a.index - b.index));
    };
    next();
  });
  return {
    stop: () => {
      stopping = true;
      for (const point of running) point.stop();
    },
    done,
  };
}
